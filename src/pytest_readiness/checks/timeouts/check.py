"""`timeouts`: every outbound call of the project's code gives up after a bounded time.

A call without a timeout is fine until the day a peer accepts the connection and never answers;
then worker threads pile up behind it and the service stops. Retries that never end and broad
`except` clauses that drop network errors hide the same outage, so they are reported too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from pytest_readiness.check import Check, CheckContext, CheckSkipped
from pytest_readiness.checks.python_sources import (
    DEFAULT_EXCLUDE,
    FileResult,
    SourceSettings,
    python_sources,
    scan,
)
from pytest_readiness.checks.timeouts.analysis import ModuleAnalysis
from pytest_readiness.checks.timeouts.calls import CallTable, parse_extra_call
from pytest_readiness.model import Category, CheckResult, Finding, Severity

ANALYSIS_VERSION = "4"
"""Bump when the analysis changes, so cached per-file results are recomputed."""


NOT_SERVICE_CODE = ("examples", "docs", "scripts", "benchmarks")
"""A library's examples and developer scripts do not run in a service's request path."""


@dataclass
class TimeoutsSettings(SourceSettings):
    exclude: list[str] = field(default_factory=lambda: [*DEFAULT_EXCLUDE, *NOT_SERVICE_CODE])
    subprocess: bool = False
    """Also require timeout= on subprocess.run/call/check_call/check_output and Popen waits."""
    calls: list[str] = field(default_factory=list)
    """More qualified names that need a timeout: `mylib.fetch`, or `mylib.Client:deadline` to name
    the keyword (or config object) that carries it."""

    def validate(self) -> None:
        super().validate()
        for spec in self.calls:
            parse_extra_call(spec)


@dataclass(frozen=True)
class TimeoutAnalyser:
    """Runs the analysis on one file; plain data, so worker processes can receive it."""

    subprocess: bool
    calls: tuple[str, ...]

    @property
    def namespace(self) -> str:
        return "timeouts"

    @property
    def identity(self) -> str:
        return f"timeouts/{ANALYSIS_VERSION}/{self.subprocess}/{','.join(sorted(self.calls))}"

    def analyse(self, path: str, absolute: str, source: bytes) -> FileResult:
        try:
            tree = ast.parse(source, filename=path)
            table = CallTable.build(subprocess=self.subprocess, extra=list(self.calls))
            return ModuleAnalysis(table).run(tree)
        except (SyntaxError, ValueError, RecursionError) as error:
            return [not_analysed_record(error)]


def not_analysed_record(error: Exception) -> dict[str, Any]:
    line = getattr(error, "lineno", None)
    return {
        "rule": "not-analysed",
        "message": f"the file could not be parsed, so it was not checked ({type(error).__name__})",
        "line": line if isinstance(line, int) else None,
        "column": None,
        "fix": "make the file valid Python for the interpreter the project supports",
        "key": "not-analysed",
        "severity": Severity.MEDIUM.value,
    }


def findings_from_records(check: Check, path: str, records: list[dict[str, Any]]) -> list[Finding]:
    """Turn cached per-file records (rule, message, line, ...) into the check's findings."""
    return [
        check.finding(
            record["rule"],
            record["message"],
            severity=Severity(record["severity"]) if record.get("severity") else None,
            path=path,
            line=record.get("line"),
            column=record.get("column"),
            fix=record.get("fix", ""),
            key=record["key"],
        )
        for record in records
    ]


class TimeoutsCheck(Check):
    id = "timeouts"
    category = Category.RELIABILITY
    severity = Severity.HIGH
    description = "Outbound calls have timeouts, retries are bounded, failures are not swallowed"
    Settings = TimeoutsSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: TimeoutsSettings = self.settings
        sources = python_sources(ctx.files, settings)
        if not sources:
            raise CheckSkipped("no Python source files to analyse")
        analyser = TimeoutAnalyser(settings.subprocess, tuple(settings.calls))
        outcome = scan(sources, analyser, ctx.cache, settings.jobs)
        findings = [
            finding
            for path, records in outcome.results.items()
            for finding in findings_from_records(self, path, records)
        ]
        missing = sum(finding.rule == "missing-timeout" for finding in findings)
        summary = (
            f"{missing} call(s) without a timeout, {len(findings) - missing} other finding(s)"
            if findings
            else "every outbound call has a timeout"
        )
        left_out = len(ctx.files.select(suffixes=(".py",))) - len(sources)
        metrics = {**outcome.metrics(), "calls_without_timeout": float(missing)}
        summary = f"{summary} in {len(sources)} file(s)"
        if left_out:
            metrics["files_left_out"] = float(left_out)
            summary += f"; {left_out} file(s) of tests, examples or scripts left out (exclude)"
        return CheckResult(findings=findings, metrics=metrics, summary=summary)
