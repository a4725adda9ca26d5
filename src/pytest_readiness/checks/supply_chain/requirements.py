"""Read pip requirements files the way pip does: includes followed, options understood.

pip's format is line based with `\\` continuations, `#` comments, global options
(`--index-url`), per-requirement options (`--hash`) and includes (`-r`, `-c`). The requirement
itself is handed to `packaging`; anything that is neither a known option, a PEP 508
requirement nor a URL/path is an error naming the file and line. An include that resolves
outside the project (`-r /proc/self/environ`, `-r ../../x.txt`, a symlink out) is an error
naming the include line; the target is never opened, so nothing of it can be quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from pytest_readiness.checks.supply_chain.entries import Declared, Origin, bad_file, display_path
from pytest_readiness.reading import inside, read_text

_COMMENT = re.compile(r"(^|\s+)#.*$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_INCLUDES = {
    "-r": "requirements",
    "--requirement": "requirements",
    "-c": "constraints",
    "--constraint": "constraints",
}
_EDITABLE = ("-e", "--editable")
_GLOBAL_WITH_VALUE = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--no-binary",
        "--only-binary",
        "--trusted-host",
        "--use-feature",
        "--config-settings",
        "--global-option",
    }
)
_GLOBAL_FLAGS = frozenset({"--pre", "--prefer-binary", "--require-hashes", "--no-index"})
_PER_REQUIREMENT = frozenset({"--hash", "--config-settings", "--global-option", "-C"})
QUOTED_CHARS = 120
"""An error quotes at most this much of the offending line."""


@dataclass
class RequirementsSet:
    """Everything read from one or more requirements files, includes followed once each."""

    entries: list[Declared] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def read_requirements(
    root: Path, paths: Sequence[Path], constraints: Sequence[Path] = ()
) -> RequirementsSet:
    """Parse `paths` and `constraints` (absolute) and every file they include, each file once."""
    found = RequirementsSet()
    seen: set[Path] = set()
    for path in constraints:
        _read(root, path.resolve(), "constraints", found, seen)
    for path in paths:
        _read(root, path.resolve(), "requirements", found, seen)
    return found


def _read(root: Path, path: Path, origin: Origin, found: RequirementsSet, seen: set[Path]) -> None:
    if path in seen:
        return
    seen.add(path)
    shown = display_path(root, path)
    if not inside(path, root):
        raise bad_file(shown, None, "is outside the project; it is not read")
    try:
        text = read_text(path)
    except UnicodeDecodeError as error:
        raise bad_file(shown, None, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise bad_file(shown, None, f"cannot be read: {error.strerror}") from None
    found.files.append(shown)
    for line, content in logical_lines(text):
        tokens = content.split()
        if tokens[0].startswith("-"):
            _option_line(root, path, shown, line, tokens, origin, found, seen)
        else:
            found.entries.append(_requirement_line(shown, line, tokens, origin))


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first physical line, content) with continuations joined and comments removed."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        stripped = _COMMENT.sub("", raw)
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        content = " ".join(part.strip() for part in pending).strip()
        pending = []
        if content:
            yield start, content
    if pending and (content := " ".join(part.strip() for part in pending).strip()):
        yield start, content


def _split_option(tokens: list[str]) -> tuple[str, str | None, list[str]]:
    """The first option's name, its value (`--x=v`, `--x v`, `-rv`) and the remaining tokens."""
    head, rest = tokens[0], tokens[1:]
    if head.startswith("--") and "=" in head:
        name, _, value = head.partition("=")
        return name, value, rest
    if not head.startswith("--") and len(head) > 2:
        return head[:2], head[2:], rest
    return head, None, rest


def _option_line(
    root: Path,
    path: Path,
    shown: str,
    line: int,
    tokens: list[str],
    origin: Origin,
    found: RequirementsSet,
    seen: set[Path],
) -> None:
    name, value, rest = _split_option(tokens)
    if name in _GLOBAL_FLAGS:
        return
    needs_value = name in _INCLUDES or name in _EDITABLE or name in _GLOBAL_WITH_VALUE
    if not needs_value:
        raise bad_file(shown, line, f"unknown pip option {name!r}")
    if value is None:
        if not rest:
            raise bad_file(shown, line, f"option {name} needs a value")
        value, rest = rest[0], rest[1:]
    if name in _INCLUDES:
        if "://" in value:
            raise bad_file(shown, line, f"remote include {value} cannot be read offline")
        target = (path.parent / value).resolve()
        if not inside(target, root):
            raise bad_file(
                shown,
                line,
                f"`{name} {_quoted(value)}` includes a file outside the project; it is not read",
            )
        if not target.is_file():
            raise bad_file(shown, line, f"included file {value} does not exist")
        included: Origin = "constraints" if _INCLUDES[name] == "constraints" else origin
        _read(root, target, included, found, seen)
    elif name in _EDITABLE:
        found.entries.append(_url_entry(shown, line, value, origin, editable=True))


def _requirement_line(shown: str, line: int, tokens: list[str], origin: Origin) -> Declared:
    words: list[str] = []
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            hashes = _per_requirement_options(shown, line, tokens[index:])
            break
        words.append(token)
    else:
        hashes = ()
    text = " ".join(words)
    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        if _looks_like_url_or_path(words[0]):
            return _url_entry(shown, line, text, origin, editable=False, hashes=hashes)
        reason = str(error).splitlines()[0]
        raise bad_file(shown, line, f"invalid requirement {_quoted(text)!r}: {reason}") from None
    return Declared(
        text=text, path=shown, line=line, origin=origin, requirement=requirement, hashes=hashes
    )


def _per_requirement_options(shown: str, line: int, tokens: list[str]) -> tuple[str, ...]:
    hashes: list[str] = []
    while tokens:
        name, value, tokens = _split_option(tokens)
        if name not in _PER_REQUIREMENT:
            raise bad_file(shown, line, f"option {name} is not allowed after a requirement")
        if value is None:
            if not tokens:
                raise bad_file(shown, line, f"option {name} needs a value")
            value, tokens = tokens[0], tokens[1:]
        if name == "--hash":
            algorithm, _, digest = value.partition(":")
            if not algorithm or not digest:
                raise bad_file(shown, line, f"--hash needs ALGORITHM:DIGEST, got {value!r}")
            hashes.append(value)
    return tuple(hashes)


def _quoted(text: str) -> str:
    return text if len(text) <= QUOTED_CHARS else f"{text[:QUOTED_CHARS]}... ({len(text)} chars)"


def _looks_like_url_or_path(word: str) -> bool:
    return (
        "://" in word
        or word.startswith((".", "/", "file:"))
        or word.endswith((".whl", ".zip", ".tar.gz", ".tar.bz2"))
    )


def _url_entry(
    shown: str,
    line: int,
    text: str,
    origin: Origin,
    *,
    editable: bool,
    hashes: tuple[str, ...] = (),
) -> Declared:
    url = text.split(";", 1)[0].strip()
    egg = _EGG.search(url)
    return Declared(
        text=text,
        path=shown,
        line=line,
        origin=origin,
        url=url,
        hashes=hashes,
        editable=editable,
        egg_name=egg.group(1) if egg else "",
    )
