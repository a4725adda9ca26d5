"""Budgets judged on figures: which are broken, with what message, and which cannot be judged."""

from __future__ import annotations

import pytest

from pytest_readiness.traffic.figures import LoadResult
from pytest_readiness.traffic.histogram import Histogram
from pytest_readiness.traffic.thresholds import Thresholds, Unmeasurable, breaches


def _result(latencies: list[float], **figures: object) -> LoadResult:
    latency = Histogram()
    latency.record_all(latencies)
    service = Histogram()
    service.record_all(latencies)
    settings: dict[str, object] = {
        "engine": "builtin",
        "model": "open",
        "target_rps": 10.0,
        "duration_s": 10.0,
        "latency": latency,
        "service": service,
        "generator_lag": Histogram(),
        "ok": len(latencies),
    }
    settings.update(figures)
    return LoadResult(**settings)  # type: ignore[arg-type]


def _figures(found: list[object]) -> list[str]:
    return [breach.figure for breach in found]  # type: ignore[attr-defined]


def test_within_every_budget_nothing_is_broken() -> None:
    result = _result([10.0] * 100, rss_before_mb=50.0, rss_after_mb=51.0)
    thresholds = Thresholds(p50_ms=20, p99_ms=20, max_ms=20, max_rss_growth_mb=2)
    assert breaches(result, thresholds) == []


def test_each_broken_budget_is_named_with_its_figure_and_budget() -> None:
    result = _result(
        [10.0] * 90 + [900.0] * 10,
        ok=80,
        errors={"status 503": 15, "timeout": 5},
        dropped=0,
        rss_before_mb=50.0,
        rss_after_mb=80.0,
    )
    thresholds = Thresholds(p95_ms=500, max_ms=800, max_rss_growth_mb=10, min_rate_ratio=0.95)
    found = breaches(result, thresholds)
    assert _figures(found) == ["p95_ms", "max_ms", "error_rate", "rss_growth_mb"]
    p95, _, errors, rss = found
    assert p95.measured == pytest.approx(900, rel=0.01)
    assert p95.budget == 500
    assert "p95 latency 90" in p95.message
    assert "over 100 requests" in p95.message
    assert errors.message == (
        "20.00% of 100 requests failed (status 503 x15, timeout x5); the budget is 2.00%"
    )
    assert "grew by 30.0 MiB (50.0 -> 80.0 MiB)" in rss.message


def test_a_rate_short_of_its_target() -> None:
    found = breaches(_result([5.0] * 50, dropped=50), Thresholds())
    assert _figures(found) == ["achieved_rps"]
    assert found[0].measured == pytest.approx(0.5)
    assert "achieved 5.0 req/s, 50% of the target 10 req/s" in found[0].message
    assert "50 requests could not start on time" in found[0].message


def test_a_closed_loop_has_no_rate_to_fall_short_of() -> None:
    assert breaches(_result([5.0] * 5, target_rps=None), Thresholds()) == []


def test_budgets_that_cannot_be_judged_are_said_so() -> None:
    with pytest.raises(Unmeasurable, match="no request was answered"):
        breaches(_result([], errors={"connect: Connection refused": 3}), Thresholds())
    with pytest.raises(Unmeasurable, match="needs the service's memory"):
        breaches(_result([1.0]), Thresholds(max_rss_growth_mb=5, min_rate_ratio=None))


def test_assert_within_holds_only_the_budgets_given() -> None:
    result = _result([10.0] * 10, target_rps=100.0)
    result.assert_within(p95_ms=20)  # far short of its rate, but no rate budget was given
    with pytest.raises(AssertionError, match="1 budget") as failure:
        result.assert_within(p95_ms=5)
    assert "p95_ms: p95 latency 10.0 ms is over its budget of 5 ms" in str(failure.value)
    assert "achieved 1.0 req/s" in str(failure.value)  # the report follows


@pytest.mark.parametrize(
    "kwargs", [{"p95_ms": 0}, {"max_error_rate": 1.5}, {"min_rate_ratio": -0.1}]
)
def test_bad_thresholds_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        Thresholds(**kwargs)


def test_the_report_reads_as_an_account_of_the_run() -> None:
    result = _result([10.0] * 10, errors={"timeout": 1}, rss_before_mb=1.0, rss_after_mb=3.0)
    result.generator_lag.record(0.5)
    result.generator_problems.append("it was late")
    report = result.report()
    assert "builtin engine, open model, target 10 req/s, 10 s measured" in report
    assert "errors 9.09%: timeout x1" in report
    assert "service RSS 1.0 -> 3.0 MiB (+2.0 MiB)" in report
    assert "generator problem: it was late" in report
