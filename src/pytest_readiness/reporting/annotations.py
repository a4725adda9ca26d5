"""GitHub workflow-command annotations: the open problems shown on the diff and the run page.

GitHub keeps at most 10 error and 10 warning annotations per step and drops the rest without
a word, so each level is capped here, worst first, and the last slot says how many were left out.
This module also defines the flat list of open problems the Markdown summary shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from pytest_readiness.model import Severity

GITHUB_ANNOTATIONS_PER_LEVEL = 10


@dataclass(frozen=True)
class Problem:
    """An unwaived finding, or a check that could not run, as a reader of the report sees it."""

    check: str
    rule: str | None
    """None when the check itself ended in error."""
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    fix: str = ""

    @property
    def title(self) -> str:
        return f"{self.check}/{self.rule}" if self.rule else self.check

    @property
    def text(self) -> str:
        return with_fix(self.message, self.fix)

    @property
    def location(self) -> str:
        if self.path is None:
            return ""
        return self.path if self.line is None else f"{self.path}:{self.line}"


def with_fix(message: str, fix: str) -> str:
    """A finding's message followed by its fix hint, for outputs that show one text."""
    if not fix:
        return message
    stop = "" if message.rstrip().endswith((".", "!", "?", ":")) else "."
    return f"{message.rstrip()}{stop} Fix: {fix}"


def open_problems(report: dict[str, Any]) -> list[Problem]:
    """Every unwaived finding and check error of the report, the most severe first."""
    problems = []
    for check in report["checks"]:
        if check["outcome"] == "error":
            problems.append(
                Problem(check["id"], None, Severity(check["severity"]), check["summary"])
            )
        problems.extend(
            Problem(
                check=check["id"],
                rule=finding["rule"],
                severity=Severity(finding["severity"]),
                message=finding["message"],
                path=finding.get("path"),
                line=finding.get("line"),
                column=finding.get("column"),
                fix=finding.get("fix") or "",
            )
            for finding in check["findings"]
            if not finding["waived"]
        )
    return sorted(
        problems,
        key=lambda p: (p.severity.rank, p.check, p.path or "", p.line or 0, p.rule or ""),
    )


def render_annotations(
    report: dict[str, Any], limit: int = GITHUB_ANNOTATIONS_PER_LEVEL
) -> list[str]:
    """`::error` lines for expired waivers and blocking problems, `::warning` lines for risks.

    Only the lines that will be shown are formatted.
    """
    problems = open_problems(report)
    expired = [waiver for waiver in report["waivers"] if waiver["expired"]]
    blocking = [problem for problem in problems if problem.severity.blocking]
    risks = [problem for problem in problems if not problem.severity.blocking]
    errors = chain(map(_expired_waiver, expired), (_command("error", p) for p in blocking))
    warnings = (_command("warning", p) for p in risks)
    return [
        *_capped("error", errors, len(expired) + len(blocking), "blocking problems", limit),
        *_capped("warning", warnings, len(risks), "risks", limit),
    ]


def _capped(level: str, lines: Iterator[str], count: int, noun: str, limit: int) -> list[str]:
    if count <= limit:
        return list(lines)
    shown = max(limit - 1, 0)
    summary = f"::{level} title=pytest-readiness::" + escape_data(
        f"... and {count - shown} more {noun} not annotated: "
        "see the job summary or the JSON report."
    )
    return [*islice(lines, shown), summary]


def _command(level: str, problem: Problem) -> str:
    properties: list[tuple[str, object]] = []
    if problem.path is not None:
        properties.append(("file", problem.path))
        if problem.line is not None:
            properties.append(("line", problem.line))
            if problem.column:
                properties.append(("col", problem.column))
    properties.append(("title", f"readiness {problem.title} ({problem.severity.value})"))
    return _format(level, properties, problem.text)


def _expired_waiver(waiver: dict[str, Any]) -> str:
    scope = ", ".join(
        f"{name}={waiver[name]}" for name in ("rule", "path") if waiver.get(name) is not None
    )
    message = (
        f"The waiver for {waiver['check']}{f' ({scope})' if scope else ''} expired on "
        f"{waiver['expires']}: fix the findings it covered or renew it with a reason."
    )
    return _format("error", [("title", "readiness waiver expired")], message)


def _format(level: str, properties: Iterable[tuple[str, object]], message: str) -> str:
    props = ",".join(f"{name}={escape_property(str(value))}" for name, value in properties)
    return f"::{level} {props}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """The message part of a workflow command: `%`, CR and LF would end or corrupt it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: additionally `:` ends the properties and `,` separates them."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
