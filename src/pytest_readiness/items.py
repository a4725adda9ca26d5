"""Checks as pytest items: collected beside the tests, shown and reported like any test."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import pytest
from _pytest._code.code import TerminalRepr

from pytest_readiness.check import Check
from pytest_readiness.gate import GATE_KEY
from pytest_readiness.masking import mask_secrets
from pytest_readiness.model import CheckRecord, Outcome

COLLECTOR_NAME = "readiness"
SHOWN_FINDINGS = 20


class ReadinessRiskWarning(UserWarning):
    """A readiness finding of medium or low severity: it does not fail the test, it is a risk."""


class ReadinessFailure(Exception):
    """Raised by a check item that holds a blocking finding or error; rendered without traceback."""

    def __init__(self, record: CheckRecord) -> None:
        super().__init__(record.summary)
        self.record = record


def item_nodeid(check: Check) -> str:
    return f"{COLLECTOR_NAME}::{check.name}"


class ReadinessCollector(pytest.Collector):
    """The virtual `readiness` node under the session that holds one item per check."""

    def __init__(self, *, checks: Sequence[Check], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.checks = checks

    def collect(self) -> list[pytest.Item]:
        return [
            ReadinessItem.from_parent(self, name=check.name, check=check) for check in self.checks
        ]


class ReadinessItem(pytest.Item):
    def __init__(self, *, check: Check, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.record: CheckRecord | None = None
        self.extra_keyword_matches.update({check.id, check.category.value})

    def runtest(self) -> None:
        gate = self.config.stash[GATE_KEY]
        record = gate.run_check(self.check, self.nodeid)
        self.record = record
        self.user_properties.extend(junit_properties(record))
        if record.outcome is Outcome.SKIPPED:
            raise pytest.skip.Exception(record.summary, _use_item_location=True)
        if record.blocking:
            raise ReadinessFailure(record)
        if record.risky:
            warn_risk(record)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, ReadinessFailure):
            return describe(excinfo.value.record)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[str, int, str]:
        return COLLECTOR_NAME, 0, f"readiness check {self.name}"


def junit_properties(record: CheckRecord) -> list[tuple[str, object]]:
    """What JUnit XML carries per check item (`record_testsuite_property` fails under xdist)."""
    return [
        ("readiness.id", record.id),
        ("readiness.category", record.category.value),
        ("readiness.severity", record.severity.value),
        ("readiness.outcome", record.outcome.value),
        ("readiness.findings", len(record.open_findings)),
    ]


def warn_risk(record: CheckRecord) -> None:
    """Show a risk in pytest's warnings summary, whatever the warnings filters say.

    `filterwarnings = error` is common; it must not turn a medium or low finding into a failed
    item. The filter is overridden for this one category only, inside this call; pytest still
    records the warning. Failing the run on risks is `--readiness-fail-on risks`.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("always", ReadinessRiskWarning)
        warnings.warn(ReadinessRiskWarning(risk_message(record)), stacklevel=2)


def risk_message(record: CheckRecord) -> str:
    if record.error is not None:
        message = f"{record.nodeid}: could not run ({record.severity.value}): {record.summary}"
    else:
        message = f"{record.nodeid}: {len(record.open_findings)} risk(s): " + "; ".join(
            finding.message for finding in record.open_findings[:3]
        )
    return mask_secrets(message)


def describe(record: CheckRecord) -> str:
    """The failure text of a check item: what is wrong, where, and how to fix it."""
    lines = [f"{record.id} ({record.category.value}, {record.severity.value}): {record.summary}"]
    if record.error is not None:
        lines.append(f"  error: {record.error.rstrip()}")
    lines.extend(_finding_lines(record.open_findings))
    waived = len(record.findings) - len(record.open_findings)
    if waived:
        lines.append(f"  ({waived} waived finding(s) not shown)")
    return mask_secrets("\n".join(lines))


def _finding_lines(findings: Iterable[Any]) -> list[str]:
    ordered = sorted(findings, key=lambda finding: finding.severity.rank)
    lines = []
    for finding in ordered[:SHOWN_FINDINGS]:
        where = f" {finding.location()}" if finding.location() else ""
        lines.append(f"  {finding.severity.value:<8} {finding.rule}{where}: {finding.message}")
        if finding.fix:
            lines.append(f"           fix: {finding.fix}")
    if len(ordered) > SHOWN_FINDINGS:
        lines.append(f"  ... and {len(ordered) - SHOWN_FINDINGS} more (see the JSON report)")
    return lines


def reports_for(nodeid: str, record: CheckRecord) -> list[pytest.TestReport]:
    """Setup, call and teardown reports for a check decided on the controller after the run."""
    name = nodeid.rsplit("::", 1)[-1]
    location = (COLLECTOR_NAME, None, f"readiness check {name}")
    keywords: dict[str, Literal[1]] = dict.fromkeys(
        (name, COLLECTOR_NAME, record.id, record.category.value), 1
    )
    properties = junit_properties(record)
    payload = {"kind": "check", "record": None}
    outcome: Any = "passed"
    longrepr: Any = None
    if record.outcome is Outcome.SKIPPED:
        outcome, longrepr = "skipped", (COLLECTOR_NAME, 1, f"Skipped: {record.summary}")
    elif record.blocking:
        outcome, longrepr = "failed", describe(record)

    def report(when: Any, outcome: Any, longrepr: Any, payload: Any, duration: float) -> Any:
        return pytest.TestReport(
            nodeid, location, keywords, outcome, longrepr, when,
            duration=duration, user_properties=properties, readiness=payload,
        )  # fmt: skip

    if outcome == "skipped":
        return [
            report("setup", outcome, longrepr, {"kind": "check", "record": record.to_dict()}, 0),
            report("teardown", "passed", None, payload, 0),
        ]
    return [
        report("setup", "passed", None, payload, 0),
        report("call", outcome, longrepr, {"kind": "check", "record": record.to_dict()},
               record.duration_s),
        report("teardown", "passed", None, payload, 0),
    ]  # fmt: skip
