"""The review as a whole: each catalogue item's status and evidence, from what the run proved.

An item is proven by its checks passing or by a passing test marked with its id, attested by a
person's attestation in force, waived when its only findings are waived, failed when its
evidence failed, and missing otherwise. The checklist's own status line follows its acceptance
rule: every critical item done for "Ready with Risks", every item done for "Ready for Production".
"""

from __future__ import annotations

import datetime
import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_readiness.attestations import Attestation
from pytest_readiness.catalogue import Catalogue, Item, Proof
from pytest_readiness.model import CheckRecord, Finding, Outcome, Severity, fingerprint

CHECK_ID = "review"


class Status(enum.StrEnum):
    PROVEN = "proven"
    ATTESTED = "attested"
    WAIVED = "waived"
    FAILED = "failed"
    MISSING = "missing"
    NOT_APPLICABLE = "not-applicable"

    @property
    def done(self) -> bool:
        return self in (Status.PROVEN, Status.ATTESTED, Status.WAIVED, Status.NOT_APPLICABLE)


CHECKLIST_STATUS = ("Not Ready", "Ready with Risks", "Ready for Production")


@dataclass
class ItemStatus:
    item: Item
    status: Status = Status.MISSING
    evidence: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "says": self.item.says,
            "area": self.item.area,
            "group": self.item.group,
            "priority": self.item.priority.value,
            "proof": [proof.describe() for proof in self.item.proof],
            "status": self.status.value,
            "evidence": self.evidence,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class ReviewInput:
    """What the run knows: its records, the attestations, and which items apply."""

    catalogue: Catalogue
    profile: str
    records: Sequence[CheckRecord]
    attestations: Sequence[Attestation]
    not_applicable: Mapping[str, str]
    """Item id -> why the item does not apply to this project."""
    today: datetime.date
    rootdir: Path


def assess(given: ReviewInput) -> list[ItemStatus]:
    """The status of every catalogue item of the profile, in catalogue order."""
    by_check: dict[str, list[CheckRecord]] = {}
    by_item: dict[str, list[CheckRecord]] = {}
    for record in given.records:
        if record.item:
            by_item.setdefault(record.item, []).append(record)
        elif not record.nodeid.startswith(f"readiness::{CHECK_ID}"):
            by_check.setdefault(record.id, []).append(record)
    attested: dict[str, list[Attestation]] = {}
    for attestation in given.attestations:
        attested.setdefault(attestation.item, []).append(attestation)
    return [
        _status(item, by_check, by_item.get(item.id, []), attested.get(item.id, []), given)
        for item in given.catalogue.for_profile(given.profile)
    ]


def _status(
    item: Item,
    by_check: Mapping[str, list[CheckRecord]],
    tests: list[CheckRecord],
    attestations: list[Attestation],
    given: ReviewInput,
) -> ItemStatus:
    result = ItemStatus(item)
    if item.id in given.not_applicable:
        result.status, result.problem = Status.NOT_APPLICABLE, given.not_applicable[item.id]
        return result
    outcomes = [_test_evidence(record, result) for record in tests]
    outcomes.extend(
        _check_evidence(proof, by_check.get(proof.check, []), result)
        for proof in item.proof
        if proof.kind == "check"
    )
    for attestation in attestations:
        outcomes.append(_attestation_evidence(attestation, given, result))
    for status in (Status.FAILED, Status.PROVEN, Status.WAIVED, Status.ATTESTED):
        if status in outcomes:
            result.status = status
            break
    return result


def _test_evidence(record: CheckRecord, result: ItemStatus) -> Status | None:
    result.evidence.append(
        {"kind": "test", "nodeid": record.nodeid, "outcome": record.outcome.value}
    )
    return {Outcome.PASSED: Status.PROVEN, Outcome.FAILED: Status.FAILED}.get(record.outcome)


def _check_evidence(proof: Proof, records: list[CheckRecord], result: ItemStatus) -> Status | None:
    """All records of the check must hold; none at all (not selected, skipped) proves nothing."""
    statuses = []
    for record in records:
        if record.outcome is Outcome.SKIPPED:
            continue
        relevant = [f for f in record.findings if not proof.rule or f.rule == proof.rule]
        if record.outcome is Outcome.ERROR or any(not f.waived for f in relevant):
            status = Status.FAILED
        else:
            status = Status.WAIVED if relevant else Status.PROVEN
        statuses.append(status)
        result.evidence.append(
            {
                "kind": "check",
                "check": record.id,
                "rule": proof.rule,
                "nodeid": record.nodeid,
                "outcome": record.outcome.value,
                "metrics": dict(record.metrics),
            }
        )
    if not statuses:
        return None
    return max(statuses, key=[Status.PROVEN, Status.WAIVED, Status.FAILED].index)


def _attestation_evidence(
    attestation: Attestation, given: ReviewInput, result: ItemStatus
) -> Status | None:
    expired = attestation.expired(given.today)
    problem = attestation.evidence_problem(given.rootdir)
    result.evidence.append(
        {
            "kind": "attestation",
            "by": attestation.by,
            "date": attestation.date.isoformat(),
            "expires": attestation.expires.isoformat(),
            "evidence": attestation.evidence,
            "expired": expired,
        }
    )
    if expired:
        result.problem = f"attestation by {attestation.by} expired on {attestation.expires}"
        return None
    if problem:
        result.problem = f"attestation by {attestation.by}: {problem}"
        return None
    return Status.ATTESTED


def checklist_status(statuses: Iterable[ItemStatus]) -> str:
    """The checklist's status line: all critical items done, then all items done."""
    undone = [status.item.priority for status in statuses if not status.status.done]
    if Severity.CRITICAL in undone:
        return CHECKLIST_STATUS[0]
    return CHECKLIST_STATUS[1] if undone else CHECKLIST_STATUS[2]


def findings(statuses: Iterable[ItemStatus], severity: Severity | None = None) -> list[Finding]:
    """What the `review` check reports: items without evidence, at the item's priority.

    A failed item is not reported again: the check or test that failed already counts.
    `severity` replaces the items' priorities: a team adopting the review step by step sets the
    check's severity to `medium` or `low`, and a missing item is a listed risk, not a blocker.
    """
    found = []
    for status in statuses:
        if status.status is not Status.MISSING:
            continue
        rule = "attestation-invalid" if status.problem else "missing-evidence"
        message = status.problem or f"no evidence for {status.item.id}: {status.item.says}"
        how = " or ".join(proof.describe() for proof in status.item.proof)
        found.append(
            Finding(
                rule=rule,
                message=message,
                severity=severity or status.item.priority,
                fingerprint=fingerprint(CHECK_ID, rule, None, status.item.id),
                fix=f"prove it by {how}, mark a test with "
                f'@pytest.mark.readiness(item="{status.item.id}"), attest it in '
                "[[tool.readiness.attestations]], or declare it not applicable",
            )
        )
    return found


def summary(catalogue: Catalogue, profile: str, statuses: Sequence[ItemStatus]) -> dict[str, Any]:
    """The `review` section of the JSON report: counts per area and section, items with evidence."""
    areas = []
    for area_id, title in catalogue.areas.items():
        members = [status for status in statuses if status.item.area == area_id]
        if members:
            areas.append({"id": area_id, "title": title, "counts": _counts(members)})
    sections = []
    for section in catalogue.sections:
        members = [status for status in statuses if status.item.section.id == section.id]
        if members:
            sections.append(
                {
                    "id": section.id,
                    "number": section.number,
                    "title": section.title,
                    "priority": section.priority.value,
                    "counts": _counts(members),
                    "items": [status.to_dict() for status in members],
                }
            )
    return {
        "profile": profile,
        "status": checklist_status(statuses),
        "counts": _counts(statuses),
        "areas": areas,
        "sections": sections,
    }


def _counts(statuses: Iterable[ItemStatus]) -> dict[str, int]:
    counted = Counter(status.status.value for status in statuses)
    return {status.value: counted.get(status.value, 0) for status in Status}
