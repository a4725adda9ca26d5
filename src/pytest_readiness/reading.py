"""How every check reads a project file: bounded, inside the rootdir, never blocking.

One size cap and one long-line guard hold for all checks (`max_file_bytes`, `max_line_bytes`
in `[tool.readiness]`), so a 200 MB file or a 50 MB one-line file costs nothing but a stat.
A file is opened with `O_NONBLOCK | O_NOFOLLOW` and checked with `fstat` after opening, so a
file swapped for a FIFO (or a symlink to `/proc/self/environ`) after the listing is refused
instead of hanging or leaking. Text with a UTF-16/32 byte order mark is decoded, not taken for
binary. What was not read is raised as `NotRead` (an `OSError`, so a site that turns read
failures into errors keeps failing closed) and recorded in the active `ReadLog`, which the gate
turns into each check's `files_over_cap` metric and a note in its summary.

The gate opens a scope around each check's `run`; parsers deep inside a check read through the
functions here without the context being passed down to them. The scope is process-wide, not a
context variable, so threads a check starts read under the same rules; a process runs one
check at a time.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_readiness.files import ProjectFile

if TYPE_CHECKING:
    from pytest_readiness.model import CheckRecord

DEFAULT_MAX_FILE_BYTES = 1_000_000
"""Far above any authored module or config file; parsing 1 MB of dense Python costs the AST
checks about 150 MB, so every check stays under 300 MB (docs/performance.md)."""
DEFAULT_MAX_LINE_BYTES = 100_000
"""Parsers' cost grows much faster than linearly on one huge line; authored lines stay short."""
BINARY_SNIFF_BYTES = 8192
SHOWN_PATHS = 3

OVER_CAP = "over-cap"
LONG_LINE = "long-line"
NOT_REGULAR = "not-regular"
OUTSIDE = "outside"
REASONS = {
    OVER_CAP: "over the size cap",
    LONG_LINE: "a line over the line cap",
    NOT_REGULAR: "not a regular file",
    OUTSIDE: "outside the project",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
"""UTF-32 first: its little-endian mark starts with UTF-16's."""
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC


@dataclass(frozen=True)
class ReadLimits:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES


class NotRead(OSError):
    """A file the limits or the project boundary keep a check from reading."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"not read: {detail}")
        self.reason = reason
        self.strerror = f"not read: {detail}"


@dataclass
class ReadLog:
    """What one check read and what it left unread, by reason."""

    files_read: int = 0
    not_read: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, reason: str) -> None:
        paths = self.not_read.setdefault(reason, [])
        if path not in paths:
            paths.append(path)

    @property
    def over_cap(self) -> int:
        return len(self.not_read.get(OVER_CAP, ())) + len(self.not_read.get(LONG_LINE, ()))

    def annotate(self, record: CheckRecord, limits: ReadLimits) -> None:
        """Put what was not read into the record's metrics and summary: never dropped silently."""
        if not self.files_read and not self.not_read:
            return
        record.metrics.setdefault("files_over_cap", float(self.over_cap))
        if not self.not_read:
            return
        for reason, paths in self.not_read.items():
            if reason not in (OVER_CAP, LONG_LINE):
                record.metrics[f"files_{reason.replace('-', '_')}"] = float(len(paths))
        parts = []
        for reason, paths in sorted(self.not_read.items()):
            shown = ", ".join(paths[:SHOWN_PATHS]) + (" ..." if len(paths) > SHOWN_PATHS else "")
            parts.append(f"{len(paths)} {REASONS.get(reason, reason)} ({shown})")
        note = (
            f"not read: {'; '.join(parts)} [caps: {limits.max_file_bytes:,} bytes per file, "
            f"{limits.max_line_bytes:,} per line]"
        )
        record.summary = f"{record.summary}; {note}" if record.summary else note


@dataclass(frozen=True)
class _Scope:
    limits: ReadLimits
    root: str | None
    log: ReadLog


_SCOPES: list[_Scope] = []
"""The open scopes, innermost last."""


def _current() -> _Scope | None:
    return _SCOPES[-1] if _SCOPES else None


@contextlib.contextmanager
def scope(limits: ReadLimits, root: Path, log: ReadLog) -> Iterator[ReadLog]:
    """Reads inside are bounded by `limits`, confined to `root` and recorded in `log`."""
    _SCOPES.append(_Scope(limits, os.path.realpath(root), log))
    try:
        yield log
    finally:
        _SCOPES.pop()


def active_limits() -> ReadLimits:
    current = _current()
    return current.limits if current else ReadLimits()


def active_root() -> str | None:
    current = _current()
    return current.root if current else None


def record(path: str, reason: str | None) -> None:
    """Count a file read (reason None) or not read, for reads done in another process."""
    current = _current()
    if current is None:
        return
    if reason is None:
        current.log.files_read += 1
    else:
        current.log.add(path, reason)


def read_bytes(
    file: ProjectFile | Path | str, *, limits: ReadLimits | None = None, root: str | None = None
) -> bytes:
    """The file's bytes, or `NotRead` (recorded in the active log) when a limit stops it."""
    shown, absolute = _names(file)
    current = _current()
    if current is not None:
        limits = limits or current.limits
        root = root or current.root
    try:
        data = bounded_read(absolute, limits or ReadLimits(), root)
    except NotRead as error:
        record(shown, error.reason)
        raise
    record(shown, None)
    return data


def read_text(
    file: ProjectFile | Path | str, *, errors: str = "strict", limits: ReadLimits | None = None
) -> str:
    """`read_bytes` decoded: a byte order mark chooses the codec, UTF-8 otherwise."""
    return decode(read_bytes(file, limits=limits), errors)


def bounded_read(absolute: str, limits: ReadLimits, root: str | None = None) -> bytes:
    """Read without following a final symlink, blocking on a FIFO or passing the caps."""
    if root is not None and not _inside(absolute, root):
        raise NotRead(OUTSIDE, f"{absolute} resolves outside the project")
    try:
        descriptor = os.open(absolute, _OPEN_FLAGS)
    except OSError as error:
        if getattr(os, "O_NOFOLLOW", 0) and os.path.islink(absolute):
            raise NotRead(NOT_REGULAR, "a symbolic link") from error
        raise
    with open(descriptor, "rb", closefd=True) as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRead(NOT_REGULAR, "not a regular file")
        if info.st_size > limits.max_file_bytes:
            raise NotRead(OVER_CAP, f"{info.st_size:,} bytes, over the cap")
        data = stream.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise NotRead(OVER_CAP, "grew over the cap while read")
    if len(data) > limits.max_line_bytes and longest_line(data) > limits.max_line_bytes:
        raise NotRead(LONG_LINE, "a line over the line cap")
    return data


def longest_line(data: bytes) -> int:
    return max(map(len, data.split(b"\n")))


def bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def decode(data: bytes, errors: str = "strict") -> str:
    return data.decode(bom_encoding(data) or "utf-8", errors)


def is_binary(head: bytes) -> bool:
    """NUL bytes mean binary, unless a byte order mark says UTF-16/32 text."""
    return bom_encoding(head) is None and b"\0" in head[:BINARY_SNIFF_BYTES]


def inside(path: Path, root: Path) -> bool:
    """Whether `path` resolves (symlinks followed) to a place below `root`."""
    return _inside(os.fspath(path), os.path.realpath(root))


def _inside(absolute: str, real_root: str) -> bool:
    real = os.path.realpath(absolute)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _names(file: ProjectFile | Path | str) -> tuple[str, str]:
    if isinstance(file, ProjectFile):
        return file.path, os.fspath(file.absolute)
    absolute = os.fspath(file)
    root = active_root()
    if root is not None and _inside(absolute, root):
        return Path(os.path.relpath(os.path.realpath(absolute), root)).as_posix(), absolute
    return Path(absolute).name, absolute
