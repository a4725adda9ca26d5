"""`load_test` in a project's own tests: figures, SLO assertions, and their failure report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_readiness.fixtures.load import GeneratorSaturated, LoadTest
from pytest_readiness.traffic import RequestSpec
from tests.health_servers import LeakGuard
from tests.load_servers import Behaviour, running


@pytest.fixture
def server() -> Iterator[str]:
    guard = LeakGuard()
    with running(Behaviour(delay_ms=20), guard.env) as url:
        yield url
    assert guard.survivors() == []


def test_a_marked_slo_test_passes_and_fails_with_a_readable_report(
    pytester: pytest.Pytester, server: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.readiness(id="orders-slo", category="reliability", severity="high")
        def test_fast_enough(load_test):
            result = load_test("{server}/orders?page=1", rate=100, duration_s=0.5, warmup_s=0.1,
                               generator_lag_budget_ms=100)  # a shared, busy test machine
            assert result.requests == 50
            assert result.error_rate == 0
            assert result.dropped == 0
            assert 20 <= result.p50_ms <= result.p95_ms <= result.p99_ms <= result.max_ms
            result.assert_within(p95_ms=1000, max_error_rate=0.01, min_rate_ratio=0.9)

        def test_too_strict(load_test):
            result = load_test("{server}", rate=50, duration_s=0.4, warmup_s=0,
                               generator_lag_budget_ms=100)
            result.assert_within(p50_ms=5)
        """
    )
    run = pytester.runpytest("-p", "no:cacheprovider")
    run.assert_outcomes(passed=1, failed=1)
    run.stdout.fnmatch_lines(
        [
            "*1 budget(s) broken:*",
            "*p50_ms: p50 latency * ms is over its budget of 5 ms*",
            "*builtin engine, open model, target 50 req/s, 0.4 s measured*",
            "*latency from schedule: p50*",
        ]
    )


def test_a_request_mix_against_a_base_url(server: str) -> None:
    mix = [RequestSpec(path="/a", weight=3), RequestSpec("POST", "/b", body=b"{}")]
    result = LoadTest()(mix, base_url=server, users=2, duration_s=0.3, warmup_s=0)
    assert result.model == "closed"
    assert result.target_rps is None
    assert result.requests >= 10
    with pytest.raises(ValueError, match="base_url"):
        LoadTest()(mix)


def test_a_saturated_generator_raises_instead_of_judging_the_service() -> None:
    guard = LeakGuard()
    saturated = pytest.raises(GeneratorSaturated, match="could not keep its schedule")
    with running(Behaviour(chunks=5000), guard.env) as url, saturated:
        LoadTest()(url, rate=400, duration_s=0.5, warmup_s=0.1, timeout_s=0.5)
    assert guard.survivors() == []
