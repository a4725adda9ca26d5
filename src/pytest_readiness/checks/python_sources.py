"""The project's Python sources, analysed file by file with a content cache and a process pool.

Both static checks over the project's own code (`bandit`, `timeouts`) look at one file at a time,
so a file whose bytes, path and analyser settings are unchanged gives the cached result, and a
big tree of misses is spread over worker processes. The pool starts from a fork server (never a
plain fork of a possibly multi-threaded pytest or xdist worker), which keeps it safe everywhere.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol

from pytest_readiness.cache import ContentCache, content_key
from pytest_readiness.check import CheckError
from pytest_readiness.files import ProjectFile, ProjectFiles
from pytest_readiness.reading import NotRead, read_bytes

DEFAULT_EXCLUDE = ("tests", "test", "testing", "test_*.py", "*_test.py", "conftest.py")
PARALLEL_MIN_FILES = 64
"""Below this many files to analyse, starting worker processes costs more than it saves."""
CHUNKS_PER_WORKER = 4

FileResult = list[dict[str, Any]]
"""What an analyser says about one file: JSON-ready records, cached as they are."""


@dataclass
class SourceSettings:
    """The keys shared by checks over the project's Python source."""

    paths: list[str] = field(default_factory=list)
    """Glob patterns of the files to analyse; empty means every Python file of the project."""
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    jobs: int = 0
    """Worker processes for big trees: 0 = one per CPU, 1 = analyse in this process."""

    def validate(self) -> None:
        if self.jobs < 0:
            raise ValueError("jobs must be 0 (one per CPU) or a positive number")


class FileAnalyser(Protocol):
    """Analyses one file; must pickle, because worker processes receive it."""

    @property
    def namespace(self) -> str:
        """The cache namespace, one per check."""

    @property
    def identity(self) -> str:
        """Everything besides the file that the result depends on (versions, settings)."""

    def analyse(self, path: str, absolute: str, source: bytes) -> FileResult: ...


@dataclass
class ScanOutcome:
    """Per-file results in the order the files were given, and what it took to get them."""

    results: dict[str, FileResult] = field(default_factory=dict)
    bytes_scanned: int = 0
    cache_hits: int = 0

    def metrics(self) -> dict[str, float]:
        return {
            "files_scanned": float(len(self.results)),
            "bytes_scanned": float(self.bytes_scanned),
            "files_cached": float(self.cache_hits),
        }


def python_sources(files: ProjectFiles, settings: SourceSettings) -> list[ProjectFile]:
    return files.select(include=settings.paths, exclude=settings.exclude, suffixes=(".py",))


@dataclass(frozen=True)
class _Pending:
    file: ProjectFile
    source: bytes
    key: str


def scan(
    sources: Sequence[ProjectFile], analyser: FileAnalyser, cache: ContentCache, jobs: int = 0
) -> ScanOutcome:
    """Analyse each file, reusing cached results; unreadable files stop the check.

    Files the read limits leave out are skipped; the gate lists them in the check's summary.
    """
    outcome = ScanOutcome()
    pending: list[_Pending] = []
    for file in sources:
        try:
            source = read_bytes(file)
        except NotRead:
            continue
        except OSError as error:
            raise CheckError(f"cannot read {file.path}: {error.strerror}") from error
        outcome.bytes_scanned += len(source)
        key = content_key(analyser.identity, file.path, source)
        cached = cache.get(analyser.namespace, key)
        if isinstance(cached, list):
            outcome.results[file.path] = cached
            outcome.cache_hits += 1
        else:
            outcome.results[file.path] = []
            pending.append(_Pending(file, source, key))
    analysed = _analyse_all(pending, analyser, jobs)
    for item in pending:
        outcome.results[item.file.path] = analysed[item.file.path]
        cache.put(analyser.namespace, item.key, analysed[item.file.path])
    return outcome


def _analyse_all(
    pending: list[_Pending], analyser: FileAnalyser, jobs: int
) -> dict[str, FileResult]:
    workers = jobs or os.cpu_count() or 1
    jobs_list = [(item.file.path, str(item.file.absolute), item.source) for item in pending]
    if workers == 1 or len(pending) < PARALLEL_MIN_FILES:
        return dict(_analyse_chunk(analyser, jobs_list))
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([type(analyser).__module__])
    results: dict[str, FileResult] = {}
    chunks = list(_chunks(jobs_list, workers * CHUNKS_PER_WORKER))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for chunk_result in pool.map(_analyse_chunk, [analyser] * len(chunks), chunks):
                results.update(chunk_result)
    except BrokenProcessPool as error:
        raise CheckError(
            f"a worker process analysing the sources died ({error}); "
            "`jobs = 1` analyses in this process instead"
        ) from error
    return results


def _analyse_chunk(
    analyser: FileAnalyser, chunk: Sequence[tuple[str, str, bytes]]
) -> list[tuple[str, FileResult]]:
    return [(path, analyser.analyse(path, absolute, source)) for path, absolute, source in chunk]


def _chunks(
    items: list[tuple[str, str, bytes]], count: int
) -> Iterator[list[tuple[str, str, bytes]]]:
    """`count` chunks of similar total size, so one worker does not end up with the big files."""
    buckets: list[list[tuple[str, str, bytes]]] = [[] for _ in range(count)]
    sizes = [0] * count
    for item in sorted(items, key=lambda entry: len(entry[2]), reverse=True):
        smallest = sizes.index(min(sizes))
        buckets[smallest].append(item)
        sizes[smallest] += len(item[2])
    yield from (bucket for bucket in buckets if bucket)
