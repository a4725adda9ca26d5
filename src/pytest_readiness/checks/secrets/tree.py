"""Files to secret matches: skip what holds no authored text, reuse cached results, fan out.

Every file's result is cached under a digest of its path and content, in one cache entry per
scanner version and settings (one JSON read and write per run, where an entry per file costs
a file creation each), so a re-run rescans only changed files, and does not even read a file
whose stat signature is unchanged. The entry keeps only the files of the latest run, so it
cannot grow without bound, and an entry of the wrong shape is dropped and rescanned.

When the tree is big enough to pay for starting processes, batches of files go to a process
pool as they are read; small trees are scanned in-process.
"""

from __future__ import annotations

import importlib.metadata
import multiprocessing
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pytest_readiness import reading
from pytest_readiness.cache import ContentCache, content_key
from pytest_readiness.checks.operations import secret_names
from pytest_readiness.checks.secrets import scanner
from pytest_readiness.checks.secrets.scanner import SecretMatch, scan_text
from pytest_readiness.files import ProjectFile
from pytest_readiness.reading import NotRead, ReadLimits, bounded_read, is_binary


def _scanner_version() -> str:
    """A digest of the scanner's own sources (every module of this package, and the secret
    words it shares with the operations checks), so a change of rules or filters voids old
    results."""
    sources = [*sorted(Path(__file__).parent.glob("*.py")), Path(secret_names.__file__ or "")]
    try:
        return content_key(*(source.read_bytes() for source in sources))
    except OSError:
        return importlib.metadata.version("pytest-readiness")


SCANNER_VERSION = _scanner_version()
CACHE_NAMESPACE = "secrets"
MINIFIED_MIN_BYTES = 10_000
MINIFIED_LINE_LENGTH = 1_000
"""A file over 10 kB whose lines average over 1,000 characters is generated, not authored."""
PARALLEL_MIN_BYTES = 4_000_000
BATCH_BYTES = 1_000_000


@dataclass
class TreeScan:
    """What a scan of many files found, and what it skipped and why."""

    matches: list[SecretMatch] = field(default_factory=list)
    files_scanned: int = 0
    bytes_scanned: int = 0
    files_cached: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    """Reason (`binary`, `minified`, or a read limit's `over-cap`...) to number of files."""
    skipped_paths: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class FileResult:
    path: str
    matches: tuple[SecretMatch, ...] = ()
    skipped: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"skipped": self.skipped, "matches": [match.to_json() for match in self.matches]}

    @classmethod
    def from_json(cls, path: str, data: dict[str, object]) -> FileResult:
        skipped = data.get("skipped")
        raw = data.get("matches", [])
        assert isinstance(raw, list), "checked by _well_formed"
        return cls(
            path,
            tuple(SecretMatch.from_json(path, item) for item in raw),
            skipped if isinstance(skipped, str) else None,
        )


def scan_bytes(data: bytes, path: str, allow: Sequence[str] = ()) -> FileResult:
    """Scan one file's content; binary and minified files are skipped with the reason."""
    if is_binary(data):
        return FileResult(path, skipped="binary")
    if _minified(path, data):
        return FileResult(path, skipped="minified")
    text = reading.decode(data, "replace")
    patterns = [re.compile(pattern) for pattern in allow]
    return FileResult(path, tuple(scan_text(text, path, patterns)))


def _minified(path: str, data: bytes) -> bool:
    name = PurePosixPath(path).name
    if name.endswith((".min.js", ".min.css", ".js.map", ".css.map")):
        return True
    return len(data) > MINIFIED_MIN_BYTES and len(data) > MINIFIED_LINE_LENGTH * (
        data.count(b"\n") + 1
    )


_Outcome = tuple[str, str, int, FileResult | None]
"""(path, content key, size, result); no result when the content's result is cached."""


def _read_and_scan(
    batch: Sequence[tuple[str, str]],
    known: frozenset[str],
    allow: Sequence[str],
    limits: ReadLimits,
    root: str | None,
) -> list[_Outcome]:
    """Read, hash and scan files (relative and absolute path); the work of one process.

    A file whose content key is in `known` is not scanned: its cached result stands.
    """
    outcomes: list[_Outcome] = []
    for path, absolute in batch:
        try:
            data = bounded_read(absolute, limits, root)
        except NotRead as error:
            outcomes.append((path, "", 0, FileResult(path, skipped=error.reason)))
            continue
        except OSError:
            outcomes.append((path, "", 0, FileResult(path, skipped="unreadable")))
            continue
        key = content_key(path, data)
        result = None if key in known else scan_bytes(data, path, allow)
        outcomes.append((path, key, len(data), result))
    return outcomes


@dataclass
class _Store:
    """The cache entry of a scan: results by content key, and what each path last held.

    A path's stat signature (size, mtime, ctime, inode) tells, without reading the file,
    that it still holds the content whose key is stored: ctime changes on every write and
    cannot be set back. A signature is only kept when the file was last changed well before
    the scan started, since a write in the same clock tick would leave it unchanged (git's
    "racily clean" files).
    """

    results: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, stored: Any) -> _Store:
        if not isinstance(stored, dict):
            return cls()
        results, paths = stored.get("results"), stored.get("paths")
        return cls(
            {
                key: result
                for key, result in (results.items() if isinstance(results, dict) else ())
                if _well_formed(result)
            },
            paths if isinstance(paths, dict) else {},
        )

    def unchanged(self, path: str, signature: list[int]) -> str | None:
        """The content key of `path` if its signature shows it unchanged since last time."""
        known = self.paths.get(path)
        if isinstance(known, list) and known[:-1] == signature and known[-1] in self.results:
            return str(known[-1])
        return None

    def to_json(self) -> dict[str, Any]:
        return {"results": self.results, "paths": self.paths}


RACY_NS = 2_000_000_000


def _well_formed(result: Any) -> bool:
    """A cached file result as `FileResult.to_json` writes it; anything else is rescanned."""
    if not isinstance(result, dict) or not isinstance(result.get("skipped"), str | None):
        return False
    matches = result.get("matches")
    return isinstance(matches, list) and all(
        isinstance(item, list)
        and len(item) == 8
        and all(isinstance(part, str) for part in (item[0], *item[3:]))
        and all(isinstance(part, int) for part in item[1:3])
        for item in matches
    )


def scan_files(
    files: Iterable[ProjectFile],
    cache: ContentCache,
    allow: Sequence[str] = (),
    workers: int = 0,
    limits: ReadLimits | None = None,
) -> TreeScan:
    """Scan `files`, reusing cached results; `workers` 0 means one per CPU, 1 in-process.

    The read limits are the gate's (`reading.active_limits()`) unless `limits` are given.
    """
    scan = TreeScan()
    started_ns = time.time_ns()
    limits = limits or reading.active_limits()
    index_key = content_key(SCANNER_VERSION, "\0".join(allow), repr(limits))
    known = _Store.load(cache.get(CACHE_NAMESPACE, index_key))
    current = _Store()
    listed = list(files)
    dispatcher = _Dispatcher(
        frozenset(known.results), allow, limits, workers, sum(file.size for file in listed)
    )
    signatures: dict[str, list[int]] = {}
    for file in listed:
        signature = list(file.signature or _signature(file.absolute))
        if not signature:
            _record(scan, FileResult(file.path, skipped="unreadable"), 0)
        elif signature[0] > limits.max_file_bytes:
            _record(scan, FileResult(file.path, skipped=reading.OVER_CAP), signature[0])
        else:
            key = known.unchanged(file.path, signature)
            if key is None:
                signatures[file.path] = signature
                dispatcher.add(file.path, str(file.absolute), signature[0])
            else:
                _keep(scan, current, file.path, signature, key, known.results[key], started_ns)
    for path, key, size, result in dispatcher.results():
        if result is None:
            _keep(scan, current, path, signatures[path], key, known.results[key], started_ns)
            continue
        if result.skipped != "unreadable":
            current.results[key] = result.to_json()
            _remember(current, path, signatures[path], key, started_ns)
        _record(scan, result, size)
    if current != known:
        cache.put(CACHE_NAMESPACE, index_key, current.to_json())
    scan.matches.sort(key=lambda match: (match.path, match.line, match.column))
    return scan


def _keep(
    scan: TreeScan,
    current: _Store,
    path: str,
    signature: list[int],
    key: str,
    cached: dict[str, Any],
    started_ns: int,
) -> None:
    """Reuse a cached result: record it and carry it into this run's cache entry."""
    scan.files_cached += 1
    current.results[key] = cached
    _remember(current, path, signature, key, started_ns)
    _record_cached(scan, path, cached, signature[0])


def _remember(current: _Store, path: str, signature: list[int], key: str, started_ns: int) -> None:
    """Keep the path's signature unless the file changed too close to the scan to trust it."""
    if max(signature[1], signature[2]) < started_ns - RACY_NS:
        current.paths[path] = [*signature, key]


class _Dispatcher:
    """Reads and scans the files handed to it, in batches on a process pool for big trees.

    The workers read, hash and scan; the main process only looks at stat signatures. Batches
    go to the pool as soon as they are full, and the pool starts with the first full batch,
    so a run where everything is cached never starts one.
    """

    def __init__(
        self,
        known: frozenset[str],
        allow: Sequence[str],
        limits: ReadLimits,
        workers: int,
        expected_bytes: int,
    ) -> None:
        self.known = known
        self.allow = allow
        self.limits = limits
        self.root = reading.active_root()
        self.workers = workers or os.cpu_count() or 1
        self.parallel = self.workers >= 2 and expected_bytes >= PARALLEL_MIN_BYTES
        self.batch_bytes = max(BATCH_BYTES, expected_bytes // (self.workers * 8))
        self.batch: list[tuple[str, str]] = []
        self.filled = 0
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[list[_Outcome]]] = []

    def add(self, path: str, absolute: str, size: int) -> None:
        self.batch.append((path, absolute))
        self.filled += size
        if self.parallel and self.filled >= self.batch_bytes:
            if self.pool is None:
                scanner.keyword_index()
                self.pool = ProcessPoolExecutor(self.workers, mp_context=_pool_context())
            self.futures.append(
                self.pool.submit(
                    _read_and_scan, self.batch, self.known, self.allow, self.limits, self.root
                )
            )
            self.batch, self.filled = [], 0

    def results(self) -> list[_Outcome]:
        """Every file's outcome; the last, partial batch is scanned here meanwhile."""
        try:
            done = _read_and_scan(self.batch, self.known, self.allow, self.limits, self.root)
            for future in self.futures:
                done.extend(future.result())
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
        return done


def _pool_context() -> multiprocessing.context.BaseContext:
    """Fork when it is safe (one thread), else a fork server that preloads the scanner.

    Forking a process with other threads (a pytest-xdist worker has its I/O thread) can copy
    a lock another thread holds and hang the child.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def _signature(path: Path) -> tuple[int, ...]:
    try:
        info = os.stat(path)
    except OSError:
        return ()
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _record_cached(scan: TreeScan, path: str, cached: dict[str, Any], size: int) -> None:
    """Record a cached result; most files have none, and skip building objects for them."""
    if cached.get("skipped") is None and not cached.get("matches"):
        reading.record(path, None)
        scan.files_scanned += 1
        scan.bytes_scanned += size
    else:
        _record(scan, FileResult.from_json(path, cached), size)


def _record(scan: TreeScan, result: FileResult, size: int) -> None:
    reading.record(result.path, result.skipped if result.skipped in reading.REASONS else None)
    if result.skipped is not None:
        scan.skipped[result.skipped] += 1
        scan.skipped_paths.setdefault(result.skipped, []).append(result.path)
        return
    scan.files_scanned += 1
    scan.bytes_scanned += size
    scan.matches.extend(result.matches)
