"""The Markdown summary for a CI job page: the verdict first, then what a reviewer acts on.

GitHub refuses a job summary over 1 MiB, so the document is built to a byte budget: the verdict
is always kept, and the lists are cut (findings first) with a line saying how much is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pytest_readiness.model import Severity
from pytest_readiness.reporting.annotations import Problem, open_problems
from pytest_readiness.reporting.review_markdown import review_head, review_rows, sign_off_rows

DEFAULT_MAX_BYTES = 1_000_000
VERDICT_ICON = {"ready": "✅", "ready-with-risks": "⚠️", "not-ready": "❌"}
OUTCOME_ICON = {"passed": "✅", "failed": "❌", "error": "💥", "skipped": "⏭️"}
SEVERITY_ICON = {
    Severity.CRITICAL: "🔴",
    Severity.HIGH: "🟠",
    Severity.MEDIUM: "🟡",
    Severity.LOW: "⚪",
}
_MARKDOWN_SPECIALS = str.maketrans(
    {char: f"\\{char}" for char in "\\`*_[]<>|~#"} | {"&": "&amp;", "\r": " ", "\n": " "}
)


@dataclass
class _Section:
    """A part of the document that may be cut: its head, then the leading rows that fit."""

    head: list[str]
    rows: list[str]
    noun: str
    shown: list[str] = field(default_factory=list)

    def fit(self, budget: int, max_bytes: int) -> int:
        """Choose the lines that fit in `budget` bytes; returns the bytes left after them."""
        whole = [*self.head, *self.rows, ""] if self.rows else []
        if _size(whole) <= budget:
            self.shown = whole
            return budget - _size(whole)
        room = budget - _size([*self.head, self._note(len(self.rows), max_bytes, True), ""])
        if room >= 0:
            kept: list[str] = []
            for row in self.rows:
                if _size([row]) > room:
                    break
                room -= _size([row])
                kept.append(row)
            left_out = len(self.rows) - len(kept)
            self.shown = [*self.head, *kept, self._note(left_out, max_bytes, bool(kept)), ""]
        elif _size(note := [self._note(len(self.rows), max_bytes, False), ""]) <= budget:
            self.shown = note
        return budget - _size(self.shown)

    def _note(self, count: int, max_bytes: int, after_some: bool) -> str:
        what = f"... and {count} more {self.noun}" if after_some else f"{count} {self.noun}"
        return (
            f"_{what} not shown: this summary is capped at {max_bytes:,} bytes; "
            "the JSON report (`--readiness-report`) has them all._"
        )


def render_markdown(report: dict[str, Any], max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The whole summary in at most `max_bytes` UTF-8 bytes, unless the verdict alone is longer."""
    problems = open_problems(report)
    reasons = _Section(
        ["**Why:**", ""], [f"- {_text(r)}" for r in report.get("reasons", [])], "reasons"
    )
    checks = _Section(_checks_head(), [_check_row(c) for c in report["checks"]], "checks")
    waivers = _Section(_waivers_head(), [_waiver_row(w) for w in report["waivers"]], "waivers")
    blocking = [p for p in problems if p.severity.blocking]
    risks = [p for p in problems if not p.severity.blocking]
    blocking_section = _Section(
        [f"### Blocking findings ({len(blocking)})", ""],
        [_problem_item(p) for p in blocking],
        "blocking findings",
    )
    risk_section = _Section(
        [f"### Risks ({len(risks)})", ""], [_problem_item(p) for p in risks], "risks"
    )
    review = _review_section(report.get("review"))
    head = _verdict_lines(report, len(blocking), len(risks))
    budget = max_bytes - _size(head)
    for section in (reasons, checks, waivers, blocking_section, risk_section, review):
        budget = section.fit(budget, max_bytes)
    body = [
        *head,
        *reasons.shown,
        *checks.shown,
        *blocking_section.shown,
        *risk_section.shown,
        *waivers.shown,
        *review.shown,
    ]
    return "\n".join(body).rstrip("\n") + "\n"


def _review_section(review: dict[str, Any] | None) -> _Section:
    if not review:
        return _Section([], [], "review items")
    sign_off = sign_off_rows(review, _text)
    rows = [*review_rows(review, _text), *(["", "**Sign-off**", "", *sign_off] if sign_off else [])]
    return _Section(review_head(review), rows, "review lines")


def _verdict_lines(report: dict[str, Any], blocking: int, risks: int) -> list[str]:
    verdict = report["verdict"]
    tests = report["tests"]
    return [
        f"## {VERDICT_ICON.get(verdict, '')} Readiness: {verdict}",
        "",
        f"**Verdict: {verdict}** (exit status {report['exit_status']}) · "
        f"{len(report['checks'])} checks · {blocking} blocking · {risks} risks · "
        f"{len(report['waivers'])} waivers · {_seconds(report['duration_s'])}",
        "",
        f"Tests: {tests['passed']} passed, {tests['failed']} failed, "
        f"{tests['skipped']} skipped, {tests['errors']} errors",
        "",
    ]


def _checks_head() -> list[str]:
    return [
        "### Checks",
        "",
        "| Check | Category | Severity | Outcome | Findings | Summary | Time |",
        "| --- | --- | --- | --- | ---: | --- | ---: |",
    ]


def _check_row(check: dict[str, Any]) -> str:
    findings = check["findings"]
    waived = sum(1 for finding in findings if finding["waived"])
    count = f"{len(findings) - waived}" + (f" (+{waived} waived)" if waived else "")
    outcome = check["outcome"]
    cells = [
        _check_label(check),
        check["category"],
        check["severity"],
        f"{OUTCOME_ICON.get(outcome, '')} {outcome}",
        count,
        _text(check["summary"]),
        _seconds(check["duration_s"]),
    ]
    return "| " + " | ".join(cells) + " |"


def _check_label(check: dict[str, Any]) -> str:
    """The item name for a built-in check (`health[api]`), the test id for a marked test."""
    name = check["nodeid"].rsplit("::", 1)[-1]
    if name == check["id"] or name.startswith(f"{check['id']}["):
        return _code(name)
    return f"{_code(check['id'])} ({_code(check['nodeid'])})"


def _problem_item(problem: Problem) -> str:
    where = f" at {_code(problem.location)}" if problem.location else ""
    severity = f"{SEVERITY_ICON[problem.severity]} **{problem.severity.value}**"
    return f"- {severity} {_code(problem.title)}{where}: {_text(problem.text)}"


def _waivers_head() -> list[str]:
    return [
        "### Waivers",
        "",
        "| Check | Rule | Path | Reason | Expires | Status | Matched |",
        "| --- | --- | --- | --- | --- | --- | ---: |",
    ]


def _waiver_row(waiver: dict[str, Any]) -> str:
    status = "❌ expired" if waiver["expired"] else "in force"
    cells = [
        _code(waiver["check"]),
        _code(waiver["rule"]) if waiver.get("rule") else "any",
        _code(waiver["path"]) if waiver.get("path") else "any",
        _text(waiver["reason"]),
        waiver["expires"],
        status,
        str(waiver.get("matched", "")),
    ]
    return "| " + " | ".join(cells) + " |"


def _text(text: str) -> str:
    """Plain text safe inside a table cell or list item: one line, no accidental markup."""
    return text.strip().translate(_MARKDOWN_SPECIALS)


def _code(text: str) -> str:
    """An identifier or path as inline code; a backtick inside falls back to escaped text."""
    one_line = " ".join(text.split())
    if "`" in one_line:
        return _text(one_line)
    escaped_pipes = one_line.replace("|", "\\|")
    return f"`{escaped_pipes}`"


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.2f} s"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds} s"


def _size(lines: list[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)
