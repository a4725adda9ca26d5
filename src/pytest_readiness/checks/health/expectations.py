"""What a series of probes must show: accepted statuses, right bodies, latency in budget.

Each problem is reported once per series with how many probes showed it, so twenty probes of
a broken endpoint make one finding, not twenty.
"""

from __future__ import annotations

from collections import Counter

from pytest_readiness.checks.health.body import body_problems, health_report
from pytest_readiness.checks.health.exposure import AUTH_STATUSES, auth_problem, secret_problems
from pytest_readiness.checks.health.latency import Budget
from pytest_readiness.checks.health.probe import Answer, ProbeSeries
from pytest_readiness.checks.health.problem import Problem
from pytest_readiness.checks.health.settings import HealthEntry
from pytest_readiness.model import Severity


def series_problems(series: ProbeSeries, entry: HealthEntry) -> list[Problem]:
    """Status, body and exposure problems over a series, each reported once with its count."""
    problems: list[Problem] = []
    total = len(series.answers)
    if series.unanswered:
        first = series.unanswered[0]
        problems.append(
            Problem(
                "down",
                f"{series.url}: {first.error} in {len(series.unanswered)} of {total} probe(s)",
                fix="start the service (or give the entry a `command`) and check the URL and port",
                key=series.url,
            )
        )
    problems += [problem for answer in series.answers if (problem := auth_problem(answer))]
    answered = [
        answer
        for answer in series.answers
        if answer.answered and answer.status not in AUTH_STATUSES and not answer.auth_challenge
    ]
    wrong = [answer for answer in answered if not entry.ready(answer)]
    if wrong:
        problems.append(_wrong_status(series.url, wrong, total, entry))
    for answer in answered:
        if answer.off_host_redirect:
            problems.append(
                Problem(
                    "redirect-off-host",
                    f"{answer.url} redirects to another host ({answer.off_host_redirect}), "
                    "which a Kubernetes probe does not follow",
                    severity=Severity.MEDIUM,
                    fix="answer the health endpoint directly instead of redirecting",
                    key=answer.url,
                )
            )
        problems += body_problems(answer, entry)
        if entry.scan_body_for_secrets:
            problems += secret_problems(answer)
    return list(dict.fromkeys(problems))


def latency_problems(series: ProbeSeries, entry: HealthEntry) -> list[Problem]:
    """Percentiles over their budgets, and a p95 too close to the probe's own timeout."""
    latency = series.latency_ms
    timeout_ms = entry.timeout_s * 1000
    budget = Budget(entry.budget_p50_ms, entry.budget_p95_ms, entry.budget_max_ms)
    problems = [
        Problem(
            "over-budget",
            f"{series.url}: {name} {measured:.1f} ms is over its budget of {limit:g} ms "
            f"({latency.describe()}; probe timeout {timeout_ms:g} ms)",
            fix="make the handler cheaper (no blocking I/O on liveness) or raise the budget",
            key=f"{series.url} {name}",
        )
        for name, measured, limit in budget.exceeded(latency)
    ]
    if latency.samples and latency.p95 > timeout_ms / 2:
        problems.append(
            Problem(
                "near-timeout",
                f"{series.url}: p95 {latency.p95:.1f} ms is over half the probe timeout "
                f"({timeout_ms:g} ms): a little extra load makes probes fail",
                severity=Severity.MEDIUM,
                fix="make the endpoint faster or raise the probe's timeoutSeconds",
                key=series.url,
            )
        )
    return problems


def _wrong_status(url: str, wrong: list[Answer], total: int, entry: HealthEntry) -> Problem:
    counts = Counter(answer.status or 0 for answer in wrong)
    seen = ", ".join(f"HTTP {status} x{count}" for status, count in counts.most_common())
    expected = ", ".join(map(str, entry.expect_status)) if entry.expect_status else "200-399"
    report = health_report(wrong[0], entry)
    detail = f"; {report.describe()}" if report else ""
    return Problem(
        "wrong-status",
        f"{url} answered {seen} in {len(wrong)} of {total} probe(s); expected {expected}{detail}",
        fix="make the endpoint answer success while the service can serve traffic",
        key=f"{url} {sorted(counts)}",
    )
