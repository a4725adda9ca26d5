"""coverage.py's warnings, caught where they are raised and judged once the data is combined.

coverage.py reports trouble with `warnings.warn`; under a project's `filterwarnings = error` the
warning becomes an exception inside `Coverage.save()` and the run ends in INTERNALERROR with no
verdict. Every call into coverage.py is therefore made inside `caught`, which keeps its warnings
out of the project's filters and records them. A warning about a source package is a per-process
fact (a worker that ran no test of the package says "never imported"), so it is judged on the
controller, against what every process said and what the combined data holds.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath

from coverage.exceptions import CoverageWarning

HARMLESS = frozenset(
    {"already-imported", "no-ctracer", "no-sysmon", "no-sysmon-context", "no-data-collected"}
)
"""Warnings that leave the figure as `coverage run` would give it; the rest are judged."""
UNUSED_SOURCE = frozenset({"module-not-imported", "module-not-python"})
"""A configured source package no test imported: a misconfiguration, reported as a finding."""
PER_PACKAGE = UNUSED_SOURCE | {"module-not-measured"}

_WARNING = re.compile(r"^(?:\[\d+\] )?(?P<message>.*?)(?: \((?P<slug>[a-z-]+)\); see \S+)?$", re.S)
_PACKAGE = re.compile(r"^Module (?P<package>[\w.]+) ")


@dataclass(frozen=True)
class Notice:
    """One coverage.py warning: its message as coverage.py wrote it, and its slug."""

    message: str
    slug: str = ""

    @classmethod
    def parse(cls, text: str) -> Notice:
        """`Module x was never imported. (module-not-imported); see <url>` into its parts."""
        match = _WARNING.match(text.strip())
        assert match is not None  # the pattern matches any text
        return cls(match["message"], match["slug"] or "")

    @property
    def package(self) -> str | None:
        """The source package a per-package warning is about."""
        match = _PACKAGE.match(self.message) if self.slug in PER_PACKAGE else None
        return match["package"] if match else None

    def __str__(self) -> str:
        return f"{self.message} ({self.slug})" if self.slug else self.message


@contextmanager
def caught(into: list[str]) -> Iterator[None]:
    """Record coverage.py's warnings into `into`; any other warning goes on to pytest."""
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            others = []
            for record in records:
                if issubclass(record.category, CoverageWarning):
                    into.append(str(record.message))
                else:
                    others.append(record)
    for record in others:
        warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)


@dataclass(frozen=True)
class RunNotices:
    """The run's coverage.py warnings: one list per measuring process, and the combining one's."""

    per_process: list[list[str]] = field(default_factory=list)
    combining: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Judgement:
    """What the run's coverage.py warnings mean for the figure."""

    unused_sources: list[Notice] = field(default_factory=list)
    """Configured source packages that no process measured: the figure leaves them out."""
    problems: list[Notice] = field(default_factory=list)
    """Warnings that make the figure wrong: the check cannot give one."""


def judge(run: RunNotices, reporting: Sequence[str], measured: Iterable[str]) -> Judgement:
    """Judge the run's warnings, and those of the report, against the combined data.

    A package counts as unmeasured only when every measuring process warned about it and no
    measured file lies in it (a subprocess may have measured it and said nothing here).
    """
    processes = [[Notice.parse(text) for text in texts] for texts in run.per_process]
    everything = [notice for notices in processes for notice in notices]
    everything += [Notice.parse(text) for text in [*run.combining, *reporting]]
    measured_parts = [PurePath(path).with_suffix("").parts for path in measured]
    by_package: dict[str, list[Notice]] = {}
    problems: dict[str, Notice] = {}
    for notice in everything:
        if notice.package is not None:
            by_package.setdefault(notice.package, []).append(notice)
        elif notice.slug not in HARMLESS:
            problems.setdefault(str(notice), notice)
    unused: list[Notice] = []
    for package, notices in by_package.items():
        everywhere = all(any(n.package == package for n in own) for own in processes)
        if not everywhere or _holds(measured_parts, package.split(".")):
            continue
        worst = [n for n in notices if n.slug not in UNUSED_SOURCE] or notices
        if worst[0].slug in UNUSED_SOURCE:
            unused.append(worst[0])
        else:
            problems.setdefault(str(worst[0]), worst[0])
    return Judgement(unused, list(problems.values()))


def _holds(measured_parts: list[tuple[str, ...]], package: list[str]) -> bool:
    size = len(package)
    return any(
        list(parts[start : start + size]) == package
        for parts in measured_parts
        for start in range(len(parts) - size + 1)
    )
