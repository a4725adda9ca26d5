"""One finding per problem: equivalent rules of different checks at one place are merged."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.dedupe import EQUIVALENT_RULES, MERGED_METRIC, merge_duplicates
from pytest_readiness.model import Category, CheckRecord, Finding, Outcome, Severity
from pytest_readiness.reporting.json_report import SCHEMA_FILE
from tests.conftest import read_report


def finding(rule: str, severity: Severity, line: int = 3, *, waived: bool = False) -> Finding:
    return Finding(
        rule=rule,
        message=f"{rule} here",
        severity=severity,
        fingerprint=f"{rule}-{line}-fingerprint",
        path="src/client.py",
        line=line,
        waived=waived,
    )


def record(check: str, *findings: Finding) -> CheckRecord:
    outcome = Outcome.FAILED if any(f.severity.blocking for f in findings) else Outcome.PASSED
    return CheckRecord(
        check,
        f"readiness::{check}",
        Category.SECURITY,
        Severity.HIGH,
        outcome,
        summary=f"{len(findings)} finding(s)",
        findings=list(findings),
    )


def test_the_same_call_from_bandit_and_timeouts_is_one_finding_naming_both() -> None:
    bandit = record("bandit", finding("B113", Severity.MEDIUM), finding("B602", Severity.HIGH, 9))
    timeouts = record("timeouts", finding("missing-timeout", Severity.HIGH))

    merged = {r.id: r for r in merge_duplicates([bandit, timeouts])}

    assert [f.rule for f in merged["bandit"].findings] == ["B602"]
    assert merged["bandit"].metrics[MERGED_METRIC] == 1
    assert "1 finding(s) merged into timeouts" in merged["bandit"].summary
    (kept,) = merged["timeouts"].findings
    assert (kept.rule, kept.severity, kept.also_reported_by) == (
        "missing-timeout",
        Severity.HIGH,
        ("bandit:B113",),
    )


def test_the_stronger_severity_wins_whichever_check_reported_it() -> None:
    container = record("container", finding("unpinned-pip-install", Severity.HIGH))
    dependencies = record("dependencies", finding("install-unpinned", Severity.MEDIUM))

    merged = {r.id: r for r in merge_duplicates([dependencies, container])}

    assert merged["dependencies"].findings == []
    (kept,) = merged["container"].findings
    assert (kept.severity, kept.also_reported_by) == (
        Severity.HIGH,
        ("dependencies:install-unpinned",),
    )


def test_on_equal_severity_the_check_declared_first_keeps_it_and_is_raised_to_the_group() -> None:
    container = record(
        "container",
        finding("unpinned-pip-install", Severity.MEDIUM),
        finding("unpinned-pip-install", Severity.LOW),
    )
    dependencies = record("dependencies", finding("install-unpinned", Severity.MEDIUM))

    merged = {r.id: r for r in merge_duplicates([container, dependencies])}

    assert merged["dependencies"].findings[0].also_reported_by == (
        "container:unpinned-pip-install",
    )
    assert merged["container"].metrics[MERGED_METRIC] == 2


@pytest.mark.parametrize(
    ("bandit_finding", "timeouts_finding"),
    [
        (finding("B113", Severity.MEDIUM, line=3), finding("missing-timeout", Severity.HIGH, 4)),
        (finding("B101", Severity.LOW), finding("missing-timeout", Severity.HIGH)),
        (finding("B113", Severity.MEDIUM, waived=True), finding("missing-timeout", Severity.HIGH)),
    ],
    ids=["other-line", "unrelated-rule", "waived"],
)
def test_other_lines_rules_and_waived_findings_are_left_alone(
    bandit_finding: Finding, timeouts_finding: Finding
) -> None:
    records = [record("bandit", bandit_finding), record("timeouts", timeouts_finding)]

    assert merge_duplicates(records) == records


def test_every_declared_rule_belongs_to_one_group_only() -> None:
    members = [member for group in EQUIVALENT_RULES for member in group]

    assert len(members) == len(set(members))
    assert all(len({check for check, _ in group}) > 1 for group in EQUIVALENT_RULES)


RULES = [(check, rule) for group in EQUIVALENT_RULES for check, rule in group]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(RULES),
            st.sampled_from(list(Severity)),
            st.integers(1, 4),
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_merging_keeps_every_problem_and_its_worst_severity(
    raw: list[tuple[tuple[str, str], Severity, int, bool]],
) -> None:
    by_check: dict[str, list[Finding]] = {}
    for (check, rule), severity, line, waived in raw:
        by_check.setdefault(check, []).append(finding(rule, severity, line, waived=waived))
    records = [record(check, *found) for check, found in by_check.items()]

    merged = merge_duplicates(records)

    def problems(rs: list[CheckRecord]) -> dict[tuple[int, int, bool], int]:
        worst: dict[tuple[int, int, bool], int] = {}
        for r in rs:
            for f in r.findings:
                group = next(i for i, g in enumerate(EQUIVALENT_RULES) if (r.id, f.rule) in g)
                key = (group, f.line or 0, f.waived)
                worst[key] = min(worst.get(key, 9), f.severity.rank)
        return worst

    assert problems(merged) == problems(records)
    before = sum(len(r.findings) for r in records)
    after = sum(len(r.findings) for r in merged)
    assert before == after + sum(int(r.metrics.get(MERGED_METRIC, 0)) for r in merged)
    assert any(r.blocking for r in merged) == any(r.blocking for r in records)


def test_a_round_trip_through_json_keeps_the_other_checks() -> None:
    merged = merge_duplicates(
        [
            record("bandit", finding("B113", Severity.MEDIUM)),
            record("timeouts", finding("missing-timeout", Severity.HIGH)),
        ]
    )
    data = json.loads(json.dumps([r.to_dict() for r in merged]))

    assert [CheckRecord.from_dict(item) for item in data] == merged
    assert data[1]["findings"][0]["also_reported_by"] == ["bandit:B113"]
    assert (
        "also_reported_by" not in record("x", finding("B1", Severity.LOW)).to_dict()["findings"][0]
    )


CLIENT = """
import requests


def fetch(url):
    return requests.get(url)
"""


@pytest.mark.usefixtures("not_an_xdist_worker")
@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["single", "xdist"])
def test_the_gate_reports_the_call_once_with_and_without_xdist(
    sample_project: Callable[..., pytest.Pytester], workers: list[str]
) -> None:
    pytester = sample_project(conftest="", select=["bandit", "timeouts"])
    (pytester.path / "src").mkdir()
    (pytester.path / "src" / "client.py").write_text(textwrap.dedent(CLIENT), "utf-8")

    result = pytester.runpytest_subprocess(
        "--readiness-only", "--readiness-report", "r.json", "-p", "no:randomly", *workers
    )

    report = read_report(pytester.path / "r.json")
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text("utf-8"))).validate(report)
    checks = {check["id"]: check for check in report["checks"]}
    assert checks["bandit"]["findings"] == []
    assert checks["bandit"]["metrics"][MERGED_METRIC] == 1
    (kept,) = checks["timeouts"]["findings"]
    assert (kept["rule"], kept["severity"], kept["also_reported_by"]) == (
        "missing-timeout",
        "high",
        ["bandit:B113"],
    )
    assert report["verdict"] == "not-ready"
    assert result.ret == 1
