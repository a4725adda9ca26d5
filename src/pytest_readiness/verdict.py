"""The gate's decision: ready, ready with risks, or not ready, with the reasons for it."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from pytest_readiness.attestations import Attestation
from pytest_readiness.model import CheckRecord, TestRun
from pytest_readiness.waivers import Waiver


class Verdict(enum.StrEnum):
    READY = "ready"
    READY_WITH_RISKS = "ready-with-risks"
    NOT_READY = "not-ready"


FAIL_ON = {"not-ready": Verdict.NOT_READY, "risks": Verdict.READY_WITH_RISKS}
_ORDER = [Verdict.READY, Verdict.READY_WITH_RISKS, Verdict.NOT_READY]


def reaches(verdict: Verdict, fail_on: str) -> bool:
    """Whether `verdict` is at least as bad as the `--readiness-fail-on` level."""
    return _ORDER.index(verdict) >= _ORDER.index(FAIL_ON[fail_on])


@dataclass(frozen=True)
class WaiverUse:
    """A configured waiver and what it did in this run."""

    waiver: Waiver
    expired: bool
    matched: int


def waiver_uses(
    waivers: Sequence[Waiver], records: Sequence[CheckRecord], today: datetime.date
) -> list[WaiverUse]:
    uses = []
    for waiver in waivers:
        matched = sum(
            1
            for record in records
            for finding in record.findings
            if finding.waived and waiver.covers(record.id, finding)
        )
        uses.append(WaiverUse(waiver, waiver.expired(today), matched))
    return uses


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: list[str]


def decide(
    records: Sequence[CheckRecord],
    tests: TestRun,
    uses: Sequence[WaiverUse],
    incomplete: Sequence[str] = (),
    *,
    attestations: Sequence[Attestation] = (),
    today: datetime.date | None = None,
) -> Decision:
    """Apply the contract's rules; the reasons name what pushed the verdict down.

    `incomplete` names what did not happen in the run (an interruption, a check not run): any of
    it makes the verdict not-ready, since nothing vouches for what was not looked at.
    """
    blocking = list(incomplete)
    blocking.extend(f"{record.nodeid}: {_what(record)}" for record in records if record.blocking)
    if tests.failed or tests.errors:
        blocking.append(f"{tests.failed} failed test(s), {tests.errors} error(s)")
    blocking.extend(
        f"waiver for {use.waiver.label()} expired on {use.waiver.expires.isoformat()}"
        for use in uses
        if use.expired
    )
    blocking.extend(
        f"attestation of {attestation.item} by {attestation.by} expired on "
        f"{attestation.expires.isoformat()}"
        for attestation in attestations
        if today is not None and attestation.expired(today)
    )
    if blocking:
        return Decision(Verdict.NOT_READY, blocking)
    risks = [f"{record.nodeid}: {_what(record)}" for record in records if record.risky]
    risks.extend(
        f"waiver in force for {use.waiver.label()} until {use.waiver.expires.isoformat()}"
        for use in uses
        if use.matched and not use.expired
    )
    if risks:
        return Decision(Verdict.READY_WITH_RISKS, risks)
    return Decision(Verdict.READY, [])


def _what(record: CheckRecord) -> str:
    if record.error is not None:
        return f"error: {record.summary}"
    worst = min(record.open_findings, key=lambda finding: finding.severity.rank)
    return f"{len(record.open_findings)} finding(s), worst {worst.severity.value}: {worst.message}"
