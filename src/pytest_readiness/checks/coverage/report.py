"""Read per-file counts out of a combined `coverage.Coverage`, whoever measured it.

The JSON report is coverage.py's documented machine-readable output; reading it (rather than the
reporter internals) keeps the counts exactly those `coverage report` adds up, with the project's
own `[report]` omit/include and exclusion rules applied.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import coverage
from coverage.exceptions import CoverageException
from coverage.files import relative_directory

from pytest_readiness.check import CheckError
from pytest_readiness.checks.coverage.figures import Counts
from pytest_readiness.checks.coverage.notices import caught


@dataclass(frozen=True)
class FileCoverage:
    path: str
    """`/`-separated, relative to the rootdir, or to its import root when outside the rootdir."""
    counts: Counts


@dataclass(frozen=True)
class CoverageReport:
    files: tuple[FileCoverage, ...]
    branch: bool
    notices: tuple[str, ...] = ()
    """coverage.py's warnings while reporting."""

    @property
    def total(self) -> Counts:
        return sum((file.counts for file in self.files), Counts())

    def most_missed(self, limit: int) -> list[FileCoverage]:
        """The files with the most unrun statements and branches, worst first."""
        missing = [file for file in self.files if file.counts.missed > 0]
        return sorted(missing, key=lambda file: (-file.counts.missed, file.path))[:limit]


def read_report(
    cov: coverage.Coverage,
    rootdir: Path,
    *,
    include: Sequence[str] = (),
    omit: Sequence[str] = (),
    branch: bool | None = None,
) -> CoverageReport:
    """Counts per file; `branch=False` drops branch counts, `True` requires them to exist."""
    measured_branches = cov.get_data().has_arcs()
    if branch and not measured_branches:
        raise CheckError(
            "branch coverage is required (`branch = true`) but the data holds lines only: "
            "set `branch = true` in [tool.coverage.run] or pass --cov-branch to pytest-cov"
        )
    notices: list[str] = []
    with caught(notices):
        raw = _json_report(cov, _anchored(include, rootdir), _anchored(omit, rootdir))
    counted_branches = measured_branches if branch is None else branch
    files = tuple(
        FileCoverage(_project_path(name, rootdir), _counts(entry["summary"], counted_branches))
        for name, entry in raw["files"].items()
    )
    return CoverageReport(
        files=tuple(sorted(files, key=lambda file: file.path)),
        branch=counted_branches,
        notices=tuple(notices),
    )


def _json_report(cov: coverage.Coverage, include: list[str], omit: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="readiness-coverage-report-") as directory:
        outfile = os.path.join(directory, "coverage.json")
        try:
            cov.json_report(outfile=outfile, include=include or None, omit=omit or None)
        except CoverageException as error:
            raise CheckError(f"coverage.py could not report: {error}") from error
        with open(outfile, encoding="utf-8") as stream:
            data: dict[str, Any] = json.load(stream)
    return data


def _counts(summary: dict[str, Any], branch: bool) -> Counts:
    counts = Counts(
        statements=int(summary["num_statements"]),
        covered_statements=int(summary["covered_lines"]),
        branches=int(summary.get("num_branches", 0)),
        covered_branches=int(summary.get("covered_branches", 0)),
    )
    return counts if branch else counts.lines_only()


def _anchored(patterns: Sequence[str], rootdir: Path) -> list[str]:
    """Make rootdir-relative globs absolute; coverage.py would anchor them at the cwd instead."""
    return [
        pattern if pattern.startswith(("*", "/")) else str(rootdir / pattern)
        for pattern in patterns
    ]


def _project_path(name: str, rootdir: Path) -> str:
    """A name that is the same on every machine: relative to the rootdir, or else to the
    directory the file's top-level package is imported from (an editable install of another
    checkout: `pkg/mod.py`, wherever that checkout lies)."""
    absolute = Path(name) if os.path.isabs(name) else Path(relative_directory()) / name
    absolute = absolute.resolve()
    try:
        return absolute.relative_to(rootdir.resolve()).as_posix()
    except ValueError:
        return absolute.relative_to(import_root(absolute)).as_posix()


def import_root(path: Path) -> Path:
    """The first directory above `path` that is not a package (has no `__init__.py`)."""
    root = path.parent
    while (root / "__init__.py").is_file() and root.parent != root:
        root = root.parent
    return root
