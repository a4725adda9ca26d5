"""The contract's verdict rules, one by one, and the fail-on threshold."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.model import Category, CheckRecord, Finding, Outcome, Severity, TestRun
from pytest_readiness.verdict import Verdict, WaiverUse, decide, reaches
from pytest_readiness.waivers import Waiver

WAIVER = Waiver("demo", "accepted", datetime.date(2027, 1, 31))


def _record(*severities: Severity, outcome: Outcome = Outcome.PASSED, waived: bool = False,
            severity: Severity = Severity.HIGH) -> CheckRecord:  # fmt: skip
    findings = [
        Finding(rule="r", message="m", severity=s, fingerprint=str(i) * 8, waived=waived)
        for i, s in enumerate(severities)
    ]
    error = "broken" if outcome is Outcome.ERROR else None
    return CheckRecord("demo", "readiness::demo", Category.SECURITY, severity, outcome,
                       findings=findings, error=error)  # fmt: skip


@pytest.mark.parametrize(
    ("records", "tests", "uses", "verdict"),
    [
        ([_record()], TestRun(passed=3), [], Verdict.READY),
        ([_record(Severity.LOW)], TestRun(), [], Verdict.READY_WITH_RISKS),
        ([_record(Severity.MEDIUM)], TestRun(), [], Verdict.READY_WITH_RISKS),
        ([_record(Severity.HIGH)], TestRun(), [], Verdict.NOT_READY),
        ([_record(Severity.CRITICAL, Severity.LOW)], TestRun(), [], Verdict.NOT_READY),
        ([_record(Severity.CRITICAL, waived=True)], TestRun(), [WaiverUse(WAIVER, False, 1)],
         Verdict.READY_WITH_RISKS),
        ([_record()], TestRun(), [WaiverUse(WAIVER, True, 0)], Verdict.NOT_READY),
        ([_record()], TestRun(), [WaiverUse(WAIVER, False, 0)], Verdict.READY),
        ([_record()], TestRun(passed=1, failed=1), [], Verdict.NOT_READY),
        ([_record()], TestRun(errors=1), [], Verdict.NOT_READY),
        ([_record(outcome=Outcome.ERROR)], TestRun(), [], Verdict.NOT_READY),
        ([_record(outcome=Outcome.ERROR, severity=Severity.MEDIUM)], TestRun(), [],
         Verdict.READY_WITH_RISKS),
        ([_record(outcome=Outcome.SKIPPED)], TestRun(), [], Verdict.READY),
    ],
)  # fmt: skip
def test_contract_rules(records: list[CheckRecord], tests: TestRun, uses: list[WaiverUse],
                        verdict: Verdict) -> None:  # fmt: skip
    decision = decide(records, tests, uses)
    assert decision.verdict is verdict
    assert bool(decision.reasons) is (verdict is not Verdict.READY)


def test_reasons_name_the_expired_waiver() -> None:
    decision = decide([], TestRun(), [WaiverUse(WAIVER, True, 0)])
    assert decision.reasons == ["waiver for demo expired on 2027-01-31"]


@given(st.lists(st.sampled_from(list(Severity))), st.lists(st.sampled_from(list(Severity))))
def test_adding_findings_never_improves_the_verdict(
    first: list[Severity], more: list[Severity]
) -> None:
    order = [Verdict.READY, Verdict.READY_WITH_RISKS, Verdict.NOT_READY]
    before = decide([_record(*first)], TestRun(), []).verdict
    after = decide([_record(*first, *more)], TestRun(), []).verdict
    assert order.index(after) >= order.index(before)


@pytest.mark.parametrize(
    ("verdict", "fail_on", "fails"),
    [
        (Verdict.READY, "risks", False),
        (Verdict.READY_WITH_RISKS, "risks", True),
        (Verdict.READY_WITH_RISKS, "not-ready", False),
        (Verdict.NOT_READY, "not-ready", True),
        (Verdict.NOT_READY, "risks", True),
    ],
)
def test_fail_on_threshold(verdict: Verdict, fail_on: str, fails: bool) -> None:
    assert reaches(verdict, fail_on) is fails
