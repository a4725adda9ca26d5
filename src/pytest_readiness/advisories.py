"""`python -m pytest_readiness.advisories update PATH`: fetch or refresh the offline OSV database.

CI runs it in a step that has network (or a mirror) and caches PATH between runs; the
`vulnerabilities` check then audits offline against it. A download is trusted only once it is
a whole, readable export: the byte count the server announced, every zip member's CRC, every
record parsed, PyPI records present, and no fewer records or older data than the copy it
replaces (OSV withdraws records, it does not delete them). Only then does it replace the old
copy, in one `os.replace`, so an interrupted update leaves the previous database intact.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from pytest_readiness.check import CheckError
from pytest_readiness.checks.supply_chain.osv import ECOSYSTEM, AdvisoryDatabase, load_database

DEFAULT_URL = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
"""OSV's public export of every PyPI advisory, refreshed by OSV continuously."""
_CHUNK = 1 << 20
_MIB = float(1 << 20)


class UpdateError(Exception):
    """The download or the export is not usable; the old database is left as it was."""


def target_file(path: Path) -> Path:
    """Where the export goes: PATH itself when it names a zip, else `PATH/PyPI/all.zip`.

    `PATH/PyPI/all.zip` is the layout `advisory_db = PATH` reads (as osv-scanner's cache).
    """
    return path if path.suffix == ".zip" else path / ECOSYSTEM / "all.zip"


def update(
    path: Path,
    url: str = DEFAULT_URL,
    *,
    timeout_s: float = 60.0,
    allow_shrink: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[Path, AdvisoryDatabase]:
    """Download the export to `path`, check it, and swap it in; the file and what it holds."""
    target = target_file(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part.zip"
    )
    partial = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            _download(url, stream, timeout_s, progress)
            stream.flush()
            os.fsync(stream.fileno())
        database = _verified(partial, target.parent)
        if target.is_file() and not allow_shrink:
            previous = _read(target, target.parent, f"{target} is unreadable (--allow-shrink)")
            _not_older(previous, database, target)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target, database


def _download(
    url: str,
    stream: IO[bytes],
    timeout_s: float,
    progress: Callable[[int, int | None], None] | None,
) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise UpdateError(f"{url} is not an http(s) URL")
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # nosec B310 - http(s)
            announced = response.headers.get("Content-Length")
            expected = int(announced) if announced and announced.isdigit() else None
            received = 0
            while chunk := response.read(_CHUNK):
                stream.write(chunk)
                received += len(chunk)
                if progress is not None:
                    progress(received, expected)
    except urllib.error.HTTPError as error:
        raise UpdateError(f"{url} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise UpdateError(f"cannot download {url}: {reason}") from None
    if expected is not None and received != expected:
        raise UpdateError(f"{url}: received {received} of {expected} bytes (cut off)")


def _verified(archive: Path, root: Path) -> AdvisoryDatabase:
    try:
        with zipfile.ZipFile(archive) as export:
            damaged = export.testzip()
    except (zipfile.BadZipFile, OSError) as error:
        raise UpdateError(f"the download is not a complete zip: {error}") from None
    if damaged is not None:
        raise UpdateError(f"the download is damaged: {damaged} fails its CRC check")
    return _read(archive, root, "the download is not a usable export")


def _read(archive: Path, root: Path, problem: str) -> AdvisoryDatabase:
    try:
        return load_database(archive, root)
    except CheckError as error:
        raise UpdateError(f"{problem}: {error}") from None


def _not_older(previous: AdvisoryDatabase, fresh: AdvisoryDatabase, target: Path) -> None:
    if fresh.records < previous.records:
        raise UpdateError(
            f"the download holds {fresh.records} records, fewer than the {previous.records} in "
            f"{target}: refusing a partial export (--allow-shrink to replace it anyway)"
        )
    if previous.newest and (fresh.newest is None or fresh.newest < previous.newest):
        raise UpdateError(
            f"the download is older than {target} (newest record {_date(fresh)} against "
            f"{_date(previous)}): refusing to go back (--allow-shrink to replace it anyway)"
        )


def _date(database: AdvisoryDatabase) -> str:
    return database.newest.isoformat() if database.newest else "unknown"


class ProgressLine:
    """One line on stderr, rewritten in place on a terminal; a few lines in a CI log."""

    def __init__(self, stream: IO[str], url: str) -> None:
        self.stream = stream
        self.url = url
        self.live = stream.isatty()
        self.started = time.monotonic()
        self.shown: float | None = None

    def __call__(self, received: int, expected: int | None) -> None:
        now = time.monotonic() - self.started
        done = expected is not None and received >= expected
        pause = 0.2 if self.live else 10.0
        if not done and self.shown is not None and now - self.shown < pause:
            return
        self.shown = now
        total = f" of {expected / _MIB:.1f} MiB ({received * 100 // expected}%)" if expected else ""
        line = f"downloading {self.url}: {received / _MIB:.1f} MiB{total}"
        self.stream.write(f"\r{line}" if self.live else f"{line}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.live:
            self.stream.write("\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_readiness.advisories",
        description="Fetch or refresh the offline OSV advisory database `advisory_db` reads.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("update", help="download OSV's PyPI export into PATH")
    command.add_argument("path", type=Path, help="the `advisory_db` directory (or a .zip file)")
    command.add_argument("--url", default=DEFAULT_URL, help="the export (or a mirror of it)")
    command.add_argument("--timeout", type=float, default=60.0, help="socket timeout in seconds")
    command.add_argument(
        "--allow-shrink",
        action="store_true",
        help="replace the database even with fewer records or older data",
    )
    options = parser.parse_args(argv)
    if options.timeout <= 0:
        parser.error("--timeout must be positive")
    progress = ProgressLine(sys.stderr, options.url)
    try:
        target, database = update(
            options.path,
            options.url,
            timeout_s=options.timeout,
            allow_shrink=options.allow_shrink,
            progress=progress,
        )
    except UpdateError as error:
        progress.finish()
        print(f"error: {error}; the previous database is unchanged", file=sys.stderr)
        return 1
    progress.finish()
    print(f"{target}: {database.describe()}; newest record modified {_date(database)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
