"""The Markdown job summary: verdict first, the checks table, what blocks, waivers, the size cap."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_readiness.reporting.markdown import render_markdown
from tests.reporting_samples import PLANTED_SECRET, finding, load_sample


@pytest.fixture
def report() -> dict[str, Any]:
    return load_sample()


def with_findings(
    report: dict[str, Any], count: int, severity: str, message: str
) -> dict[str, Any]:
    """The sample report with `count` more findings on the secrets check."""
    bigger = copy.deepcopy(report)
    secrets = next(check for check in bigger["checks"] if check["id"] == "secrets")
    secrets["findings"].extend(
        finding(index, severity, rule="generic", message=message, path=f"src/module_{index}.py")
        for index in range(count)
    )
    return bigger


def section(markdown: str, heading: str) -> list[str]:
    """The lines under a `###` heading up to the next heading."""
    lines = markdown.splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"### {heading}")))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return [line for line in lines[start + 1 : end] if line]


def test_the_verdict_comes_first(report: dict[str, Any]) -> None:
    markdown = render_markdown(report)
    first = markdown.splitlines()[0]
    assert first == "## ❌ Readiness: not-ready"
    assert "**Verdict: not-ready** (exit status 1)" in markdown
    assert "3 blocking · 4 risks · 2 waivers" in markdown
    assert "Tests: 12 passed, 0 failed, 1 skipped, 0 errors" in markdown


def test_the_table_has_a_row_per_check(report: dict[str, Any]) -> None:
    rows = section(render_markdown(report), "Checks")[2:]
    assert len(rows) == len(report["checks"])
    by_check = {
        row.split("|")[1].strip(): [cell.strip() for cell in row.split("|")[2:-1]] for row in rows
    }
    assert by_check["`secrets`"] == [
        "security", "critical", "❌ failed", "1 (+1 waived)", "2 secret(s) in 31 file(s)", "0.12 s",
    ]  # fmt: skip
    assert by_check["`health[api]`"][2] == "💥 error"
    assert by_check["`timeouts`"][2] == "⏭️ skipped"
    assert "`db-migrations` (`tests/test_db.py::test_migrations_reversible`)" in by_check


def test_blocking_findings_and_risks_are_listed_worst_first(report: dict[str, Any]) -> None:
    markdown = render_markdown(report)
    blocking = section(markdown, "Blocking findings (3)")
    assert blocking[0].startswith(
        "- 🔴 **critical** `secrets/aws-access-key` at `config/settings.py:12`"
    )
    assert "Fix: move it to the environment and rotate it" in blocking[0]
    assert blocking[1].startswith(
        "- 🟠 **high** `dependencies/unpinned` at `requirements dev,ci.txt:3`"
    )
    assert blocking[2].startswith("- 🟠 **high** `health`: could not run")
    risks = section(markdown, "Risks (4)")
    assert [line.split("**")[1] for line in risks] == ["medium", "medium", "low", "low"]
    assert "deploy/key.pem" not in "\n".join(blocking + risks), "a waived finding is not open"


def test_waivers_show_their_expiry(report: dict[str, Any]) -> None:
    rows = section(render_markdown(report), "Waivers")[2:]
    assert rows == [
        "| `secrets` | `private-key` | `deploy/key.pem` | test fixture key, never deployed "
        "| 2099-01-31 | in force | 1 |",
        "| `bandit` | `B311` | any | random only for retry jitter | 2020-01-01 | ❌ expired | 0 |",
    ]


def test_text_cannot_break_the_markup(report: dict[str, Any]) -> None:
    risks = section(render_markdown(report), "Risks")
    b105 = next(line for line in risks if "B105" in line)
    assert "hard-coded password \\| 100% sure  second line" in b105


def test_a_ready_report_has_no_findings_sections(report: dict[str, Any]) -> None:
    ready = {**report, "verdict": "ready", "reasons": [], "exit_status": 0, "waivers": []}
    ready["checks"] = [
        {**check, "findings": [], "outcome": "passed"} for check in copy.deepcopy(report["checks"])
    ]
    markdown = render_markdown(ready)
    assert markdown.startswith("## ✅ Readiness: ready\n")
    assert "### Checks" in markdown
    for absent in ("Blocking findings", "Risks", "Waivers", "Why"):
        assert absent not in markdown


def test_the_planted_secret_never_appears(report: dict[str, Any]) -> None:
    """A crashed check's traceback may hold anything; only its one-line summary is shown."""
    health = next(check for check in report["checks"] if check["id"] == "health")
    health["error"] += f'\n  File "conftest.py", line 3\n    token = {PLANTED_SECRET!r}'
    markdown = render_markdown(report)
    assert PLANTED_SECRET not in markdown
    assert "AKIA... (20 characters)" in markdown


def test_findings_are_cut_to_fit_and_the_verdict_stays(report: dict[str, Any]) -> None:
    huge = with_findings(report, 20_000, "high", "x" * 80)
    markdown = render_markdown(huge)
    assert len(markdown.encode("utf-8")) <= 1_000_000
    assert markdown.startswith("## ❌ Readiness: not-ready\n")
    blocking = section(markdown, "Blocking findings (20003)")
    shown = sum(line.startswith("- ") for line in blocking)
    assert shown > 1_000
    notes = [line for line in blocking if line.startswith("_")]
    assert notes[0].startswith(f"_... and {20_003 - shown} more blocking findings not shown")
    assert notes[1].startswith("_4 risks not shown"), "risks give way before blocking findings"
    assert len(section(markdown, "Checks")) == 2 + len(report["checks"]), "the table is whole"
    assert "| `bandit` | `B311` |" in markdown, "the waivers are whole"


def test_risks_are_cut_before_blocking_findings(report: dict[str, Any]) -> None:
    full = render_markdown(report)
    cap = len(full.encode("utf-8")) - 10
    markdown = render_markdown(report, max_bytes=cap)
    assert len(markdown.encode("utf-8")) <= cap
    assert len(section(markdown, "Blocking findings")) == 3
    assert "more risks not shown" in markdown


def test_a_cap_below_the_verdict_keeps_only_the_verdict(report: dict[str, Any]) -> None:
    markdown = render_markdown(report, max_bytes=50)
    assert markdown.startswith("## ❌ Readiness: not-ready\n")
    assert "**Verdict: not-ready**" in markdown
    assert "###" not in markdown


@settings(max_examples=25, deadline=None)
@given(
    count=st.integers(min_value=0, max_value=300),
    message=st.text(min_size=1, max_size=60),
    severity=st.sampled_from(["critical", "high", "medium", "low"]),
    cap=st.integers(min_value=1_200, max_value=60_000),
)
def test_any_report_stays_under_the_cap_with_one_line_per_item(
    count: int, message: str, severity: str, cap: int
) -> None:
    report = with_findings(load_sample(), count, severity, message)
    markdown = render_markdown(report, max_bytes=cap)
    assert len(markdown.encode("utf-8")) <= cap
    assert markdown.startswith("## ❌ Readiness: not-ready\n")
    items = [line for line in markdown.splitlines() if line.startswith("- ")]
    assert all(
        line.startswith(("- 🔴", "- 🟠", "- 🟡", "- ⚪", "- readiness::", "- waiver"))
        for line in items
    )
