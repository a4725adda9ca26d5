"""Source selection, the per-file content cache and the process pool shared by the static checks."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckError
from pytest_readiness.checks import python_sources as sources
from pytest_readiness.checks.python_sources import (
    FileResult,
    SourceSettings,
    python_sources,
    scan,
)
from pytest_readiness.files import ProjectFiles
from pytest_readiness.settings import SettingsError, load_dataclass


@dataclass(frozen=True)
class LineCounter:
    """Reports each file's line count and the process that analysed it."""

    version: str = "1"

    @property
    def namespace(self) -> str:
        return "line-counter"

    @property
    def identity(self) -> str:
        return f"line-counter/{self.version}"

    def analyse(self, path: str, absolute: str, source: bytes) -> FileResult:
        return [{"path": path, "lines": source.count(b"\n"), "pid": os.getpid()}]


def write(root: Path, files: dict[str, str]) -> ProjectFiles:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    return ProjectFiles(root)


def test_default_selection_is_python_files_outside_tests(tmp_path: Path) -> None:
    files = write(
        tmp_path,
        {
            "src/app.py": "",
            "src/app_test.py": "",
            "src/notes.txt": "",
            "tests/test_app.py": "",
            "conftest.py": "",
            "pkg/tests/helpers.py": "",
        },
    )

    chosen = python_sources(files, SourceSettings())

    assert [file.path for file in chosen] == ["src/app.py"]


def test_paths_and_exclude_narrow_the_selection(tmp_path: Path) -> None:
    files = write(tmp_path, {"src/a.py": "", "src/gen/b.py": "", "tools/c.py": ""})

    chosen = python_sources(files, SourceSettings(paths=["src"], exclude=["src/gen"]))

    assert [file.path for file in chosen] == ["src/a.py"]


def test_negative_jobs_is_rejected_by_the_settings_loader() -> None:
    with pytest.raises(SettingsError, match="jobs"):
        load_dataclass(SourceSettings, {"jobs": -1}, "tool.readiness.timeouts")


def test_unchanged_files_come_from_the_cache(tmp_path: Path) -> None:
    files = write(tmp_path, {"a.py": "x = 1\n", "b.py": "y = 2\nz = 3\n"})
    cache = ContentCache(tmp_path / "cache")
    chosen = python_sources(files, SourceSettings())

    cold = scan(chosen, LineCounter(), cache, jobs=1)
    (tmp_path / "b.py").write_text("y = 2\n", "utf-8")
    warm = scan(chosen, LineCounter(), cache, jobs=1)

    assert cold.cache_hits == 0
    assert warm.cache_hits == 1
    assert warm.results["b.py"][0]["lines"] == 1
    assert warm.metrics() == {"files_scanned": 2.0, "bytes_scanned": 12.0, "files_cached": 1.0}


def test_a_new_analyser_identity_misses_the_cache(tmp_path: Path) -> None:
    files = write(tmp_path, {"a.py": "x = 1\n"})
    cache = ContentCache(tmp_path / "cache")
    chosen = python_sources(files, SourceSettings())
    scan(chosen, LineCounter(), cache, jobs=1)

    again = scan(chosen, LineCounter(version="2"), cache, jobs=1)

    assert again.cache_hits == 0


def test_big_trees_are_analysed_by_worker_processes_in_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "PARALLEL_MIN_FILES", 4)
    files = write(tmp_path, {f"m{index:02}.py": "\n" * index for index in range(12)})
    chosen = python_sources(files, SourceSettings())

    outcome = scan(chosen, LineCounter(), ContentCache(None), jobs=2)

    assert list(outcome.results) == [file.path for file in chosen]
    assert [result[0]["lines"] for result in outcome.results.values()] == list(range(12))
    assert os.getpid() not in {result[0]["pid"] for result in outcome.results.values()}


def test_an_unreadable_file_stops_the_check(tmp_path: Path) -> None:
    files = write(tmp_path, {"a.py": ""})
    chosen = python_sources(files, SourceSettings())
    (tmp_path / "a.py").unlink()

    with pytest.raises(CheckError, match=r"cannot read a\.py"):
        scan(chosen, LineCounter(), ContentCache(None), jobs=1)


@dataclass(frozen=True)
class Crasher(LineCounter):
    """Kills the worker process it runs in, as a segfaulting C extension would."""

    def analyse(self, path: str, absolute: str, source: bytes) -> FileResult:
        os._exit(3)


def test_a_dead_worker_process_is_a_check_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "PARALLEL_MIN_FILES", 2)
    files = write(tmp_path, {"a.py": "", "b.py": ""})

    with pytest.raises(CheckError, match="worker process analysing the sources died"):
        scan(python_sources(files, SourceSettings()), Crasher(), ContentCache(None), jobs=2)
