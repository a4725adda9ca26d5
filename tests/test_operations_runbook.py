"""The `runbook` check on real documents: complete, missing, empty shells and placeholders."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from pytest_readiness.checks.operations.runbook import RunbookCheck
from tests.conftest import read_report
from tests.operations_projects import by_rule, project, rules, run

RUNBOOK = """
# Payments runbook

## Incident response

Check the dashboard for error rate and latency, then read the last fifteen minutes of logs
with `kubectl logs -l app=payments --since=15m` before restarting anything.

## Escalation

Page the payments on-call rotation; after thirty minutes without mitigation page the team lead.

## Rollback

Run `kubectl rollout undo deployment/payments` and watch `kubectl rollout status` until done.
"""
SECURITY = """
# Security policy

## Reporting a vulnerability

Email security@example.com with the steps to reproduce; we answer within two working days.
"""
CHANGELOG = """
# Changelog

## 2.1.0 - 2026-11-01

- Payments are retried with exponential backoff and jitter when the bank times out, at most
  three times, and each retry is logged with the attempt number.
"""
COMPLETE = {
    "docs/runbook.md": RUNBOOK,
    "SECURITY.md": SECURITY,
    "CHANGELOG.md": CHANGELOG,
}


def test_complete_documents_pass(tmp_path: Path) -> None:
    result = run(RunbookCheck, project(tmp_path, COMPLETE))
    assert result.findings == []
    assert result.metrics == {"documents": 3.0}


def test_nothing_written_is_four_missing_documents(tmp_path: Path) -> None:
    result = run(RunbookCheck, project(tmp_path, {"README.md": "# x\n"}))
    assert rules(result) == ["missing-document"] * 4
    assert all(finding.path is None for finding in result.findings)


def test_rollback_may_live_in_its_own_document(tmp_path: Path) -> None:
    runbook = RUNBOOK.split("## Rollback")[0]
    files = {**COMPLETE, "docs/runbook.md": runbook}
    result = run(RunbookCheck, project(tmp_path, files))
    (missing,) = result.findings
    assert (missing.rule, missing.path) == ("missing-section", "docs/runbook.md")
    assert "'rollback|roll back|roll-back'" in missing.message
    rollback = "# Rolling back\n\n## How to roll back\n\n" + "Undo the rollout with kubectl. " * 5
    result = run(RunbookCheck, project(tmp_path, {"docs/rollback.md": rollback}))
    assert result.findings == []


def test_a_title_only_file_is_an_empty_shell(tmp_path: Path) -> None:
    files = {**COMPLETE, "CHANGELOG.md": "# Changelog\n\n## Unreleased\n"}
    (finding,) = run(RunbookCheck, project(tmp_path, files)).findings
    assert (finding.rule, finding.path, finding.line) == ("empty-document", "CHANGELOG.md", 1)
    assert "0 word(s)" in finding.message


def test_placeholders_are_findings_at_their_lines_and_do_not_count(tmp_path: Path) -> None:
    shell = """
    # Runbook

    ## Incident response

    TODO

    ## Escalation

    TBD: who to call. Lorem ipsum dolor sit amet.
    """
    files = {**COMPLETE, "docs/runbook.md": dedent(shell) + RUNBOOK.split("# Payments runbook")[1]}
    result = run(RunbookCheck, project(tmp_path, files))
    placeholders = by_rule(result, "placeholder")
    assert [(f.path, f.line) for f in placeholders] == [
        ("docs/runbook.md", 5),
        ("docs/runbook.md", 9),
    ]
    empty = by_rule(result, "empty-section")
    assert [(f.line, f.message) for f in empty] == [
        (3, "section 'Incident response' is empty: it says nothing to act on")
    ]


def test_required_headings_and_documents_are_settings(tmp_path: Path) -> None:
    ctx = project(tmp_path, {**COMPLETE, "SECURITY.md": "# Security\n\n" + "Mail us. " * 12})
    assert rules(run(RunbookCheck, ctx)) == ["missing-section"]
    assert run(RunbookCheck, ctx, security_headings=[]).findings == []
    assert rules(run(RunbookCheck, ctx, required=["changelog"])) == []
    assert rules(run(RunbookCheck, ctx, runbook_headings=["capacity"])) == [
        "missing-section",
        "missing-section",
    ]


def test_locations_are_matched_from_the_root_ignoring_case(tmp_path: Path) -> None:
    files = {
        "Docs/Runbook.MD": RUNBOOK,
        ".github/security.md": SECURITY,
        "HISTORY.rst": "History\n=======\n\n" + CHANGELOG.split("# Changelog")[1],
        "examples/app/CHANGELOG.md": "# nothing\n",
        "security/__init__.py": "",
    }
    result = run(RunbookCheck, project(tmp_path, files))
    assert result.findings == []
    assert result.metrics == {"documents": 3.0}


def test_undecodable_document_is_reported(tmp_path: Path) -> None:
    ctx = project(tmp_path, COMPLETE)
    (tmp_path / "CHANGELOG.md").write_bytes(b"\xff\xfe broken")
    assert rules(run(RunbookCheck, ctx)) == ["missing-document", "unreadable-document"]


def test_gate_makes_missing_documents_a_risk_not_a_blocker(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.readiness.runbook]\nrequired = ["runbook", "changelog"]\n')
    pytester.makefile(".md", CHANGELOG=CHANGELOG)
    result = pytester.runpytest(
        "--readiness", "--readiness-only", "--readiness-select", "runbook",
        "--readiness-report", "r.json",
    )  # fmt: skip
    result.assert_outcomes(passed=1)
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "ready-with-risks"
    (record,) = report["checks"]
    assert [f["rule"] for f in record["findings"]] == ["missing-document"]


def test_gate_rejects_an_unknown_document_kind(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.readiness.runbook]\nrequired = ["postmortem"]\n')
    result = pytester.runpytest("--readiness", "--readiness-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*runbook.required*postmortem*"])
