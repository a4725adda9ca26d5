"""`coverage`: the project's own test run, measured by coverage.py, held to its thresholds.

The check is deferred: the gate runs it on the controller after every test and every pytest-xdist
worker has finished and the data is combined, so adding `-n` cannot change its answer. The total
is decided by `figures`' single rounding rule against `fail_under` and against the ratchet
baseline; each file against `file_minimum`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import coverage

from pytest_readiness.check import TEST_RUN_ARTIFACT, Check, CheckContext, CheckError
from pytest_readiness.checks.coverage.baseline import Baseline, BaselineError
from pytest_readiness.checks.coverage.engine import ARTIFACT, CoverageSession, Measurement
from pytest_readiness.checks.coverage.figures import below, decimals, dropped, shown
from pytest_readiness.checks.coverage.report import CoverageReport, read_report
from pytest_readiness.checks.coverage.settings import CoverageSettings
from pytest_readiness.model import Category, CheckResult, Finding, Severity, TestRun

MOST_MISSED = 5


@dataclass(frozen=True)
class Thresholds:
    """The settings with coverage.py's own `[report]` values filled in where ours are unset."""

    fail_under: float
    file_minimum: float | None
    precision: int
    tolerance: float

    @classmethod
    def resolve(cls, settings: CoverageSettings, cov: coverage.Coverage) -> Thresholds:
        fail_under = settings.fail_under
        if fail_under is None:
            fail_under = float(_number_option(cov, "report:fail_under"))
        precision = settings.precision
        if precision is None:
            precision = int(_number_option(cov, "report:precision"))
        return cls(fail_under, settings.file_minimum, precision, settings.tolerance)

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
        return self.assess(report, thresholds, figures, baseline)

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
        below_minimum = sum(1 for finding in result.findings if finding.rule == "coverage-file")
        result.metrics = {
            "total_percent": float(figures.total),
            "files_below_minimum": float(below_minimum),
            "files_measured": float(len(report.files)),
            "fail_under": thresholds.fail_under,
        }
        if baseline is not None:
            result.metrics["baseline_percent"] = float(baseline.total)
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
                f"{path}: coverage {figure}% is below file_minimum {_plain(minimum)}%",
                path=path,
                fix=f"add tests that run the missed lines of {path}, or omit it if it is not code "
                "the tests should reach",
                key=path,
            )
            for path, figure in figures.files.items()
            if below(figure, minimum)
        ]


def _limits(thresholds: Thresholds, baseline: Baseline | None) -> str:
    parts = [f"fail_under {_plain(thresholds.fail_under)}%"]
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
