"""GitHub workflow-command annotations: levels, order, the per-step cap and escaping."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.model import Severity
from pytest_readiness.reporting.annotations import (
    escape_data,
    escape_property,
    open_problems,
    render_annotations,
    with_fix,
)
from tests.reporting_samples import PLANTED_SECRET, finding, load_sample


@pytest.fixture
def report() -> dict[str, Any]:
    return load_sample()


def unescape(text: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def test_blocking_problems_are_errors_and_risks_warnings(report: dict[str, Any]) -> None:
    assert render_annotations(report) == [
        "::error title=readiness waiver expired::The waiver for bandit (rule=B311) expired on "
        "2020-01-01: fix the findings it covered or renew it with a reason.",
        "::error file=config/settings.py,line=12,col=5,title=readiness secrets/aws-access-key "
        "(critical)::AWS access key AKIA... (20 characters) in a source file. "
        "Fix: move it to the environment and rotate it",
        "::error file=requirements dev%2Cci.txt,line=3,title=readiness dependencies/unpinned "
        "(high)::requests is not pinned. Fix: pin it: requests==2.32.3",
        "::error title=readiness health (high)::"
        "could not run: connection refused by 127.0.0.1:8000",
        "::warning file=src/app/db.py,line=40,col=12,title=readiness bandit/B105 (medium)::"
        "hard-coded password | 100%25 sure%0D%0Asecond line. Fix: read it from the environment",
        "::warning title=readiness dependencies/no-lockfile (medium)::"
        "no lock file records the resolved versions. Fix: commit a lock file",
        "::warning file=src/app/util.py,line=7,title=readiness bandit/B101 (low)::"
        "assert used outside tests",
        "::warning file=pyproject.toml,title=readiness dependencies/license (low)::"
        "the licence is not declared",
    ]  # fmt: skip


def test_waived_findings_are_not_annotated(report: dict[str, Any]) -> None:
    assert not any("deploy/key.pem" in line for line in render_annotations(report))


def test_the_planted_secret_never_appears(report: dict[str, Any]) -> None:
    """A crashed check's traceback may hold anything; only its one-line summary is shown."""
    health = next(check for check in report["checks"] if check["id"] == "health")
    health["error"] += f'\n  File "conftest.py", line 3\n    token = {PLANTED_SECRET!r}'
    lines = render_annotations(report)
    assert not any(PLANTED_SECRET in line for line in lines)
    assert any("AKIA... (20 characters)" in line for line in lines)


def many(report: dict[str, Any], severity: str, count: int) -> dict[str, Any]:
    bigger = copy.deepcopy(report)
    bigger["checks"][0]["findings"] = [
        finding(index, severity, rule=f"R{index:03}", message=f"problem {index}", path="src/a.py")
        for index in range(count)
    ]
    return bigger


def test_each_level_is_capped_with_a_summary_line(report: dict[str, Any]) -> None:
    lines = render_annotations(many(report, "critical", 30))
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == 10
    assert errors[0].startswith("::error title=readiness waiver expired::"), "expired waivers first"
    assert errors[1].startswith("::error file=src/a.py,line=1,")
    assert errors[-1] == (
        "::error title=pytest-readiness::... and 25 more blocking problems not annotated: "
        "see the job summary or the JSON report."
    )
    warnings = [line for line in lines if line.startswith("::warning")]
    assert len(warnings) == 2, "the other level is not affected"


def test_the_most_severe_are_kept_when_capping(report: dict[str, Any]) -> None:
    lines = render_annotations(many(report, "low", 12), limit=3)
    warnings = [line for line in lines if line.startswith("::warning")]
    assert len(warnings) == 3
    assert "(medium)" in warnings[0]
    assert "(low)" in warnings[1]
    assert "and 12 more risks" in warnings[2]


def test_problems_are_sorted_worst_first(report: dict[str, Any]) -> None:
    severities = [problem.severity for problem in open_problems(report)]
    assert severities == sorted(severities, key=lambda severity: severity.rank)
    assert severities[0] is Severity.CRITICAL
    assert severities[-1] is Severity.LOW


def test_fix_hints_join_the_message() -> None:
    assert with_fix("pin it", "") == "pin it"
    assert with_fix("not pinned", "pin it") == "not pinned. Fix: pin it"
    assert with_fix("Is it pinned?", "pin it") == "Is it pinned? Fix: pin it"


def test_escaping_follows_the_workflow_command_rules() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("C:\\a,b%\n") == "C%3A\\a%2Cb%25%0A"


@given(st.text())
def test_escaped_text_round_trips_and_cannot_end_the_command(text: str) -> None:
    data = escape_data(text)
    prop = escape_property(text)
    assert not {"\r", "\n"} & set(data)
    assert not {":", ",", "\r", "\n"} & set(prop)
    assert unescape(data) == text
    assert unescape(prop) == text
