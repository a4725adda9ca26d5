"""`coverage`: the project's own test run, measured by coverage.py, held to its thresholds.

The check is deferred: the gate runs it on the controller after every test and every pytest-xdist
worker has finished and the data is combined, so adding `-n` cannot change its answer. The total
is decided by `figures`' single rounding rule against `fail_under` (the review's 80 % when the
project sets none) and against the ratchet baseline; each file against `file_minimum`, each named
critical path against its own minimum. coverage.py's warnings are judged once the data is
combined: an unused source is a finding, a warning that makes the figure wrong an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fnmatch import fnmatch
from typing import Any

import coverage

from pytest_readiness.check import TEST_RUN_ARTIFACT, Check, CheckContext, CheckError
from pytest_readiness.checks.coverage.baseline import Baseline, BaselineError
from pytest_readiness.checks.coverage.engine import (
    ARTIFACT,
    CoverageSession,
    Measurement,
    PytestCovReader,
)
from pytest_readiness.checks.coverage.figures import Counts, below, decimals, dropped, shown
from pytest_readiness.checks.coverage.notices import Judgement, judge
from pytest_readiness.checks.coverage.project_config import explicit_fail_under, source_configured
from pytest_readiness.checks.coverage.report import CoverageReport, read_report
from pytest_readiness.checks.coverage.settings import CoverageSettings
from pytest_readiness.model import Category, CheckResult, Finding, Severity, TestRun

SERIES = "coverage_percent_by_file"
"""The per-file figures the reports draw (the JSON report's `series`)."""

MOST_MISSED = 5
REVIEW_FAIL_UNDER = 80.0
"""The review's "unit coverage meets project standard (default: >= 80 %)"."""
COVERAGE_RUN_SCOPE = "no source configured: measured as `coverage run -m pytest` measures"


@dataclass(frozen=True)
class Thresholds:
    """The settings with coverage.py's own `[report]` values filled in where ours are unset."""

    fail_under: float
    file_minimum: float | None
    precision: int
    tolerance: float
    review_default: bool = False
    """`fail_under` is the review's 80 %: neither the gate's nor coverage.py's settings set one."""
    critical_paths: tuple[tuple[str, float], ...] = ()

    @classmethod
    def resolve(cls, settings: CoverageSettings, cov: coverage.Coverage) -> Thresholds:
        fail_under = settings.fail_under
        if fail_under is None:
            fail_under = explicit_fail_under(cov)
        precision = settings.precision
        if precision is None:
            precision = int(_number_option(cov, "report:precision"))
        return cls(
            REVIEW_FAIL_UNDER if fail_under is None else fail_under,
            settings.file_minimum,
            precision,
            settings.tolerance,
            review_default=fail_under is None,
            critical_paths=tuple(sorted(settings.critical_paths.items())),
        )

    @property
    def total_digits(self) -> int:
        return max(self.precision, decimals(self.fail_under))

    @property
    def file_digits(self) -> int:
        return max(self.precision, decimals(self.file_minimum))


@dataclass(frozen=True)
class Figures:
    """This run's shown figures: what the terminal, the report and the baseline all carry."""

    total: Decimal
    files: dict[str, Decimal]

    @classmethod
    def of(cls, report: CoverageReport, thresholds: Thresholds) -> Figures:
        total = shown(report.total, thresholds.total_digits)
        files = {file.path: shown(file.counts, thresholds.file_digits) for file in report.files}
        return cls(total, files)


class CoverageCheck(Check):
    id = "coverage"
    category = Category.QUALITY
    severity = Severity.HIGH
    description = "Test coverage, combined across pytest-xdist workers, meets its thresholds"
    Settings = CoverageSettings
    deferred = True
    needs_test_run = True

    @classmethod
    def session_plugin(cls, settings: Any, artifacts: dict[str, Any]) -> object | None:
        return CoverageSession(settings, artifacts)

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: CoverageSettings = self.settings
        measurement = ctx.artifacts.get(ARTIFACT)
        if not isinstance(measurement, Measurement):
            raise CheckError("coverage was not measured in this run")
        tests = ctx.artifacts.get(TEST_RUN_ARTIFACT)
        if isinstance(tests, TestRun) and tests.ran == 0:
            raise CheckError("no test of the project ran, so its coverage is unknown")
        cov = measurement.combined()
        report = read_report(
            cov, ctx.rootdir, include=settings.include, omit=settings.omit, branch=settings.branch
        )
        data = cov.get_data()
        executed = [name for name in data.measured_files() if data.lines(name)]
        judgement = judge(measurement.notices(), report.notices, executed)
        if judgement.problems:
            said = "; ".join(str(notice) for notice in judgement.problems)
            raise CheckError(
                f"coverage.py warned that its figure is wrong: {said}. Fix the cause, or accept "
                "the warning in [tool.coverage.run] disable_warnings"
            )
        thresholds = Thresholds.resolve(settings, cov)
        figures = Figures.of(report, thresholds)
        baseline: Baseline | None
        if ctx.baseline_update:
            baseline = Baseline(figures.total, report.branch, thresholds.precision, figures.files)
            try:
                baseline.save(ctx.rootdir / settings.baseline)
            except OSError as error:
                raise CheckError(f"cannot write {settings.baseline}: {error}") from error
        else:
            baseline = self._load_baseline(ctx, report)
        result = self.assess(report, thresholds, figures, baseline)
        result.findings.extend(self._unused_source_findings(judgement))
        if not isinstance(measurement, PytestCovReader) and not source_configured(cov):
            result.summary += f"; {COVERAGE_RUN_SCOPE}"
        return result

    def _load_baseline(self, ctx: CheckContext, report: CoverageReport) -> Baseline | None:
        settings: CoverageSettings = self.settings
        try:
            baseline = Baseline.load(ctx.rootdir / settings.baseline)
        except BaselineError as error:
            raise CheckError(f"{settings.baseline}: {error}") from error
        if baseline is not None and baseline.branch != report.branch:
            recorded = "with" if baseline.branch else "without"
            raise CheckError(
                f"{settings.baseline} was recorded {recorded} branch coverage and this run was "
                "not: rerun with --readiness-baseline-update to record the new kind of figure"
            )
        return baseline

    def assess(
        self,
        report: CoverageReport,
        thresholds: Thresholds,
        figures: Figures,
        baseline: Baseline | None,
    ) -> CheckResult:
        """The findings and metrics for one run's figures; pure, so the maths is testable."""
        result = CheckResult()
        missed = ", ".join(
            f"{file.path} ({file.counts.missed} missed)" for file in report.most_missed(MOST_MISSED)
        )
        total_finding = self._total_finding(figures.total, thresholds, baseline, missed)
        if total_finding is not None:
            result.findings.append(total_finding)
        if thresholds.file_minimum is not None:
            result.findings.extend(self._file_findings(figures, thresholds.file_minimum))
        result.findings.extend(self._critical_path_findings(report, thresholds))
        below_minimum = sum(1 for finding in result.findings if finding.rule == "coverage-file")
        critical_below = sum(
            1 for finding in result.findings if finding.rule == "coverage-critical-path"
        )
        result.metrics = {
            "total_percent": float(figures.total),
            "files_below_minimum": float(below_minimum),
            "critical_paths_below_minimum": float(critical_below),
            "files_measured": float(len(report.files)),
            "fail_under": thresholds.fail_under,
        }
        if baseline is not None:
            result.metrics["baseline_percent"] = float(baseline.total)
        result.series[SERIES] = {path: float(figure) for path, figure in figures.files.items()}
        result.summary = f"total {figures.total}% {_limits(thresholds, baseline)}" + (
            f"; most missed: {missed}" if missed else ""
        )
        return result

    def _total_finding(
        self, total: Decimal, thresholds: Thresholds, baseline: Baseline | None, missed: str
    ) -> Finding | None:
        reasons = []
        if below(total, thresholds.fail_under):
            reasons.append(f"below fail_under {_plain(thresholds.fail_under)}%")
        if baseline is not None and dropped(total, baseline.total, thresholds.tolerance):
            reasons.append(
                f"{baseline.total - total} points below the baseline {baseline.total}% "
                f"(tolerance {_plain(thresholds.tolerance)})"
            )
        if not reasons:
            return None
        message = f"total coverage {total}% is {' and '.join(reasons)}"
        return self.finding(
            "coverage-total",
            message + (f"; most missed: {missed}" if missed else ""),
            fix="add tests for the most-missed files; if the drop is accepted, "
            "record it with --readiness-baseline-update",
            key="total",
        )

    def _file_findings(self, figures: Figures, minimum: float) -> list[Finding]:
        return [
            self.finding(
                "coverage-file",
                f"coverage {figure}% is below file_minimum {_plain(minimum)}%",
                path=path,
                fix="add tests that run its missed lines, or omit the file if it is not code the "
                "tests should reach",
                key=path,
            )
            for path, figure in figures.files.items()
            if below(figure, minimum)
        ]

    def _critical_path_findings(
        self, report: CoverageReport, thresholds: Thresholds
    ) -> list[Finding]:
        """Each named critical path's files together against the path's own minimum."""
        findings = []
        for pattern, minimum in thresholds.critical_paths:
            matched = [file.counts for file in report.files if fnmatch(file.path, pattern)]
            if not matched:
                findings.append(
                    self.finding(
                        "coverage-critical-path-unmatched",
                        f"critical path {pattern} matches no measured file, so its minimum "
                        f"{_plain(minimum)}% holds nothing",
                        severity=Severity.MEDIUM,
                        fix="correct the glob in [tool.readiness.coverage] critical_paths "
                        "(relative to the rootdir), or measure the files it names",
                        key=pattern,
                    )
                )
                continue
            figure = shown(sum(matched, Counts()), thresholds.precision, minimum)
            if below(figure, minimum):
                findings.append(
                    self.finding(
                        "coverage-critical-path",
                        f"critical path {pattern} ({len(matched)} files) has coverage {figure}%, "
                        f"below its minimum {_plain(minimum)}%",
                        fix=f"add tests for the files matching {pattern}",
                        key=pattern,
                    )
                )
        return findings

    def _unused_source_findings(self, judgement: Judgement) -> list[Finding]:
        return [
            self.finding(
                "coverage-source-unused",
                f'configured source {notice.package} is not measured: coverage.py says "{notice}"',
                severity=Severity.MEDIUM,
                fix=f"remove {notice.package} from [tool.coverage.run] source, or name the "
                "package the tests really import",
                key=notice.package,
            )
            for notice in judgement.unused_sources
        ]


def _limits(thresholds: Thresholds, baseline: Baseline | None) -> str:
    fail_under = f"fail_under {_plain(thresholds.fail_under)}%"
    if thresholds.review_default:
        fail_under += " by the review's default, none configured"
    parts = [fail_under]
    if thresholds.file_minimum is not None:
        parts.append(f"file_minimum {_plain(thresholds.file_minimum)}%")
    if baseline is not None:
        parts.append(f"baseline {baseline.total}% with tolerance {_plain(thresholds.tolerance)}")
    return f"({', '.join(parts)})"


def _plain(value: float) -> str:
    """90.0 as "90", 87.5 as "87.5": a threshold written as the user would write it."""
    return str(int(value)) if value == int(value) else str(value)


def _number_option(cov: coverage.Coverage, name: str) -> float:
    value = cov.get_option(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value)
