"""Judging a series of probes: one problem per kind, with how many probes showed it."""

from __future__ import annotations

from typing import Any

from pytest_readiness.checks.health.expectations import latency_problems, series_problems
from pytest_readiness.checks.health.probe import Answer, ProbeSeries
from pytest_readiness.checks.health.settings import HealthEntry
from pytest_readiness.model import Severity

URL = "http://127.0.0.1:8000/healthz"
PASS = b'{"status": "pass"}'


def _answer(status: int | None, latency_ms: float = 5.0, **fields: Any) -> Answer:
    if status is None:
        return Answer(url=URL, latency_ms=latency_ms, error="connection refused")
    fields.setdefault("body", PASS)
    fields.setdefault("content_type", "application/health+json")
    return Answer(url=URL, latency_ms=latency_ms, status=status, **fields)


def _series(*answers: Answer) -> ProbeSeries:
    return ProbeSeries(URL, answers)


def _entry(**settings: Any) -> HealthEntry:
    return HealthEntry(name="api", url=URL, **settings)


def test_a_healthy_series_has_no_problem() -> None:
    series = _series(*(_answer(200) for _ in range(3)))
    assert series_problems(series, _entry()) == []
    assert latency_problems(series, _entry(budget_p95_ms=10)) == []


def test_down_and_wrong_statuses_are_counted_once_each() -> None:
    fail = b'{"status": "fail"}'
    series = _series(
        _answer(None),
        _answer(503, body=fail),
        _answer(503, body=fail),
        _answer(500, body=fail),
        _answer(200),
    )
    problems = series_problems(series, _entry())
    assert [problem.rule for problem in problems] == ["down", "wrong-status"]
    assert problems[0].message == f"{URL}: connection refused in 1 of 5 probe(s)"
    assert problems[1].message == (
        f"{URL} answered HTTP 503 x2, HTTP 500 x1 in 3 of 5 probe(s); expected 200-399; "
        "body says fail"
    )


def test_expect_status_is_named_in_the_message() -> None:
    (problem,) = series_problems(_series(_answer(200)), _entry(expect_status=[204]))
    assert problem.message.endswith("in 1 of 1 probe(s); expected 204; body says pass")


def test_an_auth_refusal_is_only_auth_required() -> None:
    series = _series(_answer(401, body=b"login first", content_type="text/html"))
    assert [problem.rule for problem in series_problems(series, _entry(body_format="json"))] == [
        "auth-required"
    ]


def test_redirect_off_host_is_a_medium_risk() -> None:
    answer = _answer(302, off_host_redirect="https://login.example.com/")
    (problem,) = series_problems(_series(answer, answer), _entry())
    assert (problem.rule, problem.severity) == ("redirect-off-host", Severity.MEDIUM)


def test_secrets_scan_can_be_turned_off() -> None:
    # readiness: allow-secret-next-line (a fake credential the check must find)
    leaky = b'{"status": "pass", "db": "postgres://app:S3cr3tPassw0rd9@db/inv"}'
    series = _series(_answer(200, body=leaky))
    assert [problem.rule for problem in series_problems(series, _entry())] == ["secret-in-body"]
    assert series_problems(series, _entry(scan_body_for_secrets=False)) == []


def test_latency_over_budget_names_figures_budget_and_timeout() -> None:
    series = _series(*(_answer(200, latency_ms=float(ms)) for ms in range(10, 210, 10)))
    problems = latency_problems(series, _entry(budget_p50_ms=50, budget_max_ms=150))
    assert [problem.message for problem in problems] == [
        f"{URL}: p50 100.0 ms is over its budget of 50 ms "
        "(p50 100.0 ms, p95 190.0 ms, max 200.0 ms; probe timeout 1000 ms)",
        f"{URL}: max 200.0 ms is over its budget of 150 ms "
        "(p50 100.0 ms, p95 190.0 ms, max 200.0 ms; probe timeout 1000 ms)",
    ]
    assert problems[0].key != problems[1].key


def test_p95_over_half_the_timeout_is_near_timeout() -> None:
    series = _series(_answer(200, latency_ms=400), _answer(200, latency_ms=600))
    (problem,) = latency_problems(series, _entry())
    assert (problem.rule, problem.severity) == ("near-timeout", Severity.MEDIUM)
    assert latency_problems(series, _entry(timeout_s=2)) == []


def test_unanswered_probes_have_no_latency_problem() -> None:
    assert latency_problems(_series(_answer(None)), _entry(budget_p50_ms=1)) == []
