"""Each review item's status from the run's records, attestations and declarations."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from pytest_readiness.attestations import Attestation
from pytest_readiness.catalogue import load_catalogue
from pytest_readiness.model import Category, CheckRecord, Finding, Outcome, Severity
from pytest_readiness.review import (
    ItemStatus,
    ReviewInput,
    Status,
    assess,
    checklist_status,
    findings,
    summary,
)

TODAY = datetime.date(2026, 11, 26)


def check(check_id: str, outcome: Outcome = Outcome.PASSED, *rules: str, waived: bool = False,
          item: str | None = None) -> CheckRecord:  # fmt: skip
    record = CheckRecord(check_id, f"readiness::{check_id}", Category.RELIABILITY, Severity.HIGH,
                         outcome, item=item)  # fmt: skip
    record.findings = [Finding(rule, "m", Severity.HIGH, rule, waived=waived) for rule in rules]
    return record


def attest(
    item: str, evidence: str = "https://wiki.example/oncall", expires: int = 30
) -> Attestation:
    return Attestation(item, "Ana", TODAY, evidence, TODAY + datetime.timedelta(days=expires))


def statuses(tmp_path: Path, records: list[CheckRecord], attestations: list[Attestation] = (),
             not_applicable: dict[str, str] | None = None) -> dict[str, ItemStatus]:  # fmt: skip
    given = ReviewInput(load_catalogue(), "service", records, list(attestations),
                        not_applicable or {}, TODAY, tmp_path)  # fmt: skip
    return {status.item.id: status for status in assess(given)}


def test_a_passing_check_proves_its_items(tmp_path: Path) -> None:
    found = statuses(tmp_path, [check("timeouts")])
    assert found["reliability.timeouts"].status is Status.PROVEN
    assert found["reliability.timeouts"].evidence[0]["nodeid"] == "readiness::timeouts"
    assert found["reliability.liveness"].status is Status.MISSING


def test_a_rule_proof_looks_only_at_its_rule(tmp_path: Path) -> None:
    found = statuses(tmp_path, [check("timeouts", Outcome.PASSED, "retries-unbounded")])
    assert found["reliability.timeouts"].status is Status.PROVEN
    assert found["reliability.retry-limit"].status is Status.FAILED


def test_waived_findings_make_the_item_waived(tmp_path: Path) -> None:
    found = statuses(tmp_path, [check("timeouts", Outcome.PASSED, "missing-timeout", waived=True)])
    assert found["reliability.timeouts"].status is Status.WAIVED


def test_an_error_or_a_skip_proves_nothing(tmp_path: Path) -> None:
    found = statuses(tmp_path, [check("health", Outcome.ERROR), check("secrets", Outcome.SKIPPED)])
    assert found["reliability.liveness"].status is Status.FAILED
    assert found["security.no-secrets-in-code"].status is Status.MISSING


def test_every_check_of_an_item_must_hold(tmp_path: Path) -> None:
    scanning = "deployment.security-scanning"
    partial = statuses(tmp_path, [check("bandit"), check("secrets")])
    assert partial[scanning].status is Status.PROVEN  # vulnerabilities not run: the rest holds
    failing = statuses(tmp_path, [check("bandit"), check("secrets", Outcome.FAILED, "aws")])
    assert failing[scanning].status is Status.FAILED


def test_a_marked_test_proves_or_fails_its_item(tmp_path: Path) -> None:
    passed = check("my-test", item="reliability.circuit-breakers")
    failed = check("other", Outcome.FAILED, item="reliability.fallbacks")
    found = statuses(tmp_path, [passed, failed])
    assert found["reliability.circuit-breakers"].status is Status.PROVEN
    assert found["reliability.fallbacks"].status is Status.FAILED


def test_attestations_in_force_with_real_evidence(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "dr.md").write_text("drill on 2026-11-01\n")
    found = statuses(
        tmp_path,
        [],
        [
            attest("operations.dr-plan", "docs/dr.md"),
            attest("operations.on-call-trained"),
            attest("operations.rto-rpo", expires=-1),
            attest("operations.dr-drills", "docs/missing.md"),
            attest("operations.failover-tested", "../outside.md"),
        ],
    )
    assert found["operations.dr-plan"].status is Status.ATTESTED
    assert found["operations.on-call-trained"].status is Status.ATTESTED
    assert found["operations.rto-rpo"].status is Status.MISSING
    assert "expired on 2026-11-25" in found["operations.rto-rpo"].problem
    assert "does not exist" in found["operations.dr-drills"].problem
    assert "outside the project" in found["operations.failover-tested"].problem


def test_a_failed_check_outweighs_an_attestation(tmp_path: Path) -> None:
    found = statuses(tmp_path, [check("health", Outcome.FAILED, "down")],
                     [attest("reliability.liveness")])  # fmt: skip
    assert found["reliability.liveness"].status is Status.FAILED


def test_not_applicable_items_are_done(tmp_path: Path) -> None:
    found = statuses(tmp_path, [], not_applicable={"compliance.hipaa": "no health data"})
    assert found["compliance.hipaa"].status is Status.NOT_APPLICABLE
    assert found["compliance.hipaa"].problem == "no health data"


def test_findings_name_missing_and_invalid_items_at_their_priority(tmp_path: Path) -> None:
    found = statuses(tmp_path, [check("health", Outcome.FAILED, "down")],
                     [attest("operations.rto-rpo", expires=-1)])  # fmt: skip
    by_item = {f.fingerprint: f for f in findings(found.values())}
    assert len(by_item) == sum(1 for s in found.values() if s.status is Status.MISSING)
    rules = {f.rule for f in by_item.values()}
    assert rules == {"missing-evidence", "attestation-invalid"}
    assert all(f.severity in (Severity.CRITICAL, Severity.HIGH) for f in by_item.values())
    assert not any("reliability.liveness" in f.message for f in by_item.values())


def test_a_configured_severity_replaces_the_priorities(tmp_path: Path) -> None:
    found = statuses(tmp_path, [])
    assert {f.severity for f in findings(found.values(), Severity.LOW)} == {Severity.LOW}


@pytest.mark.parametrize(
    ("undone", "expected"),
    [((), "Ready for Production"), (("cost.budgets",), "Ready with Risks"),
     (("reliability.timeouts", "cost.budgets"), "Not Ready")],
)  # fmt: skip
def test_checklist_status_line(tmp_path: Path, undone: tuple[str, ...], expected: str) -> None:
    catalogue = load_catalogue()
    every = {item.id: "done" for item in catalogue.for_profile("service") if item.id not in undone}
    found = statuses(tmp_path, [], not_applicable=every)
    assert checklist_status(found.values()) == expected


def test_summary_counts_per_area_and_section(tmp_path: Path) -> None:
    found = list(statuses(tmp_path, [check("timeouts")]).values())
    report = summary(load_catalogue(), "service", found)
    assert report["counts"]["proven"] >= 1
    assert sum(report["counts"].values()) == len(found)
    assert sum(sum(area["counts"].values()) for area in report["areas"]) == len(found)
    reliability = next(s for s in report["sections"] if s["id"] == "reliability")
    assert reliability["number"] == 3
    assert any(item["status"] == "proven" for item in reliability["items"])
