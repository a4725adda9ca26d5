"""The `readiness gate` section of pytest's terminal summary."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from pytest_readiness.model import Severity

VERDICT_STYLE = {
    "ready": {"green": True, "bold": True},
    "ready-with-risks": {"yellow": True, "bold": True},
    "not-ready": {"red": True, "bold": True},
}
FINDINGS_PER_CHECK = 3
CHECK_PREFIX = "readiness::"


def write_summary(terminal: pytest.TerminalReporter, report: dict[str, Any]) -> None:
    terminal.section("readiness gate", sep="=")
    open_findings = Counter(
        finding["severity"]
        for check in report["checks"]
        for finding in check["findings"]
        if not finding["waived"]
    )
    terminal.write_line(
        "open findings: "
        + ", ".join(
            f"{open_findings.get(severity.value, 0)} {severity.value}" for severity in Severity
        )
    )
    _write_review(terminal, report.get("review"))
    quiet_tests = 0
    for check in report["checks"]:
        if check["outcome"] == "passed" and not check["nodeid"].startswith(CHECK_PREFIX):
            quiet_tests += 1
        else:
            _write_check(terminal, check)
    if quiet_tests:
        terminal.write_line(f"PASSED  {quiet_tests} test(s) marked readiness")
    for missing in report.get("not_run", []):
        terminal.write_line(f"NOT RUN {missing['nodeid']} ({missing['reason']})", red=True)
    for waiver in report["waivers"]:
        state = "EXPIRED" if waiver["expired"] else f"matched {waiver['matched']}"
        terminal.write_line(
            f"waiver {waiver['check']} until {waiver['expires']} ({state}): {waiver['reason']}",
            red=waiver["expired"],
        )
    for reason in report["reasons"]:
        terminal.write_line(f"  - {reason.splitlines()[0]}")
    terminal.write_line(
        f"verdict: {report['verdict'].upper()} (exit status {report['exit_status']})",
        **VERDICT_STYLE[report["verdict"]],
    )


def _write_check(terminal: pytest.TerminalReporter, check: dict[str, Any]) -> None:
    metrics = " ".join(f"{name}={_number(value)}" for name, value in check["metrics"].items())
    summary = check["summary"].splitlines()[0] if check["summary"] else ""
    line = f"{check['outcome'].upper():<7} {check['nodeid']} [{check['severity']}] {summary}"
    terminal.write_line(f"{line} {metrics}".rstrip(), red=check["outcome"] in ("failed", "error"))
    shown = [finding for finding in check["findings"] if not finding["waived"]]
    for finding in shown[:FINDINGS_PER_CHECK]:
        where = finding["path"] or ""
        if where and finding["line"]:
            where = f"{where}:{finding['line']}"
        terminal.write_line(
            f"    {finding['severity']:<8} {finding['rule']} {where} {finding['message']}"
        )
    if len(shown) > FINDINGS_PER_CHECK:
        terminal.write_line(f"    ... and {len(shown) - FINDINGS_PER_CHECK} more")
    waived = len(check["findings"]) - len(shown)
    if waived:
        terminal.write_line(f"    {waived} waived")


def _write_review(terminal: pytest.TerminalReporter, review: dict[str, Any] | None) -> None:
    """One line per area of the review, then the checklist's own status line."""
    if not review:
        return
    for area in review["areas"]:
        counts = ", ".join(f"{value} {name}" for name, value in area["counts"].items() if value)
        terminal.write_line(f"review {area['title'].lower()}: {counts}")
    terminal.write_line(f"review ({review['profile']} profile): {review['status']}")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
