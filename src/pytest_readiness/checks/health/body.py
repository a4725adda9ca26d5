"""What the body of a health answer must say: JSON keys and values, `application/health+json`.

The health+json draft (draft-inadarei-api-health-check) puts `status` pass/warn/fail at the top
and per-component results under `checks`. A `fail` body must come with a 4xx/5xx status and a
`pass`/`warn` body with 2xx/3xx: a load balancer reads only the status, a person only the body,
and the two must not disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pytest_readiness.checks.health.probe import Answer
from pytest_readiness.checks.health.problem import Problem
from pytest_readiness.checks.health.settings import HealthEntry
from pytest_readiness.model import Severity

HEALTH_JSON = "application/health+json"
STATUS_WORDS = {
    "pass": "pass",
    "ok": "pass",
    "up": "pass",
    "warn": "warn",
    "fail": "fail",
    "error": "fail",
    "down": "fail",
}
MISSING = object()


@dataclass(frozen=True)
class HealthReport:
    """A health+json body reduced to its verdict and the names of the checks that disagree."""

    status: str
    failing: tuple[str, ...] = ()
    warning: tuple[str, ...] = ()

    def describe(self) -> str:
        named = self.failing if self.status == "fail" else self.warning
        return f"body says {self.status}" + (f" ({', '.join(named)})" if named else "")


def parse_health(document: Any) -> HealthReport | None:
    """The report of a health+json document, or None when it has no recognisable `status`."""
    if not isinstance(document, dict):
        return None
    status = STATUS_WORDS.get(str(document.get("status", "")).lower())
    if status is None:
        return None
    failing: list[str] = []
    warning: list[str] = []
    checks = document.get("checks")
    for name, results in checks.items() if isinstance(checks, dict) else []:
        for result in results if isinstance(results, list) else [results]:
            word = STATUS_WORDS.get(str(_get(result, "status")).lower())
            if word == "fail" and name not in failing:
                failing.append(name)
            elif word == "warn" and name not in warning:
                warning.append(name)
    return HealthReport(status, tuple(failing), tuple(warning))


def lookup(document: Any, path: str) -> Any:
    """The value at a dotted path (`checks.db.0.status`), or MISSING."""
    value = document
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def wants_health_json(answer: Answer, entry: HealthEntry) -> bool:
    if entry.body_format == "health+json":
        return True
    return entry.body_format == "auto" and answer.content_type.startswith(HEALTH_JSON)


def health_report(answer: Answer, entry: HealthEntry) -> HealthReport | None:
    """The health+json verdict of an answer that is meant to carry one."""
    if not wants_health_json(answer, entry):
        return None
    try:
        return parse_health(answer.json())
    except ValueError:
        return None


def body_problems(answer: Answer, entry: HealthEntry) -> list[Problem]:
    """Everything the body of one answer gets wrong against the entry's expectations."""
    health = wants_health_json(answer, entry)
    if not (health or entry.body_format == "json" or entry.expect_keys or entry.expect_json):
        return []
    try:
        document = answer.json()
    except ValueError:
        return [
            Problem(
                "body-mismatch",
                f"{answer.url} answered a body that is not JSON",
                fix="answer a JSON body (Content-Type application/json or application/health+json)",
            )
        ]
    problems = _expected_values(answer.url, document, entry)
    if health:
        problems += _health_problems(answer, document)
    return problems


def _expected_values(url: str, document: Any, entry: HealthEntry) -> list[Problem]:
    problems = []
    for path in entry.expect_keys:
        if lookup(document, path) is MISSING:
            problems.append(
                Problem("body-mismatch", f"{url}: the body has no `{path}`", fix=_FIX_BODY)
            )
    for path, expected in entry.expect_json.items():
        actual = lookup(document, path)
        if actual is MISSING:
            problems.append(
                Problem("body-mismatch", f"{url}: the body has no `{path}`", fix=_FIX_BODY)
            )
        elif actual != expected:
            problems.append(
                Problem(
                    "body-mismatch",
                    f"{url}: `{path}` is {_short(actual)}, expected {_short(expected)}",
                    fix=_FIX_BODY,
                    key=f"{url} {path}",
                )
            )
    return problems


def _health_problems(answer: Answer, document: Any) -> list[Problem]:
    report = parse_health(document)
    if report is None:
        return [
            Problem(
                "body-mismatch",
                f"{answer.url}: the health+json body has no `status` of pass, warn or fail",
                fix='answer {"status": "pass"} (or warn/fail) as in the health+json draft',
            )
        ]
    problems = []
    if (report.status == "fail") == answer.succeeded:
        problems.append(
            Problem(
                "status-body-mismatch",
                f"{answer.url} answered HTTP {answer.status} but its {report.describe()}",
                fix="answer 2xx/3xx with pass or warn, and 4xx/5xx (503) with fail",
                key=f"{answer.url} {answer.status} {report.status}",
            )
        )
    if report.status == "warn" or (report.status == "pass" and report.warning):
        problems.append(
            Problem(
                "health-warn",
                f"{answer.url} reports warn" + _named(report.warning),
                severity=Severity.MEDIUM,
                fix="look at the component in warn before it turns into fail",
                key=f"{answer.url} {','.join(report.warning)}",
            )
        )
    return problems


_FIX_BODY = "make the endpoint answer the body configured in expect_keys / expect_json"


def _named(names: tuple[str, ...]) -> str:
    return f" for {', '.join(names)}" if names else ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None
