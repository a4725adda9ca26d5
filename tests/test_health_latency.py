"""Nearest-rank percentiles and latency budgets."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.health.latency import Budget, Latency, percentile

latencies = st.lists(
    st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=200
)
quantiles = st.floats(min_value=0.01, max_value=100)


@given(latencies, quantiles)
def test_percentile_is_a_measured_sample_with_enough_samples_at_or_below(
    samples: list[float], q: float
) -> None:
    value = percentile(samples, q)
    assert value in samples
    at_or_below = sum(sample <= value for sample in samples)
    assert at_or_below >= math.ceil(q / 100 * len(samples)) - 1e-9
    below = sum(sample < value for sample in samples)
    assert below < q / 100 * len(samples)


@given(latencies, quantiles, quantiles)
def test_percentile_grows_with_q(samples: list[float], first: float, second: float) -> None:
    low, high = sorted((first, second))
    assert percentile(samples, low) <= percentile(samples, high)


@given(latencies)
def test_p100_is_the_maximum_and_order_does_not_matter(samples: list[float]) -> None:
    assert percentile(samples, 100) == max(samples)
    assert percentile(list(reversed(samples)), 50) == percentile(samples, 50)


def test_known_percentiles() -> None:
    samples = [float(value) for value in range(1, 21)]
    assert percentile(samples, 50) == 10
    assert percentile(samples, 95) == 19
    assert percentile([7.0], 50) == 7


@pytest.mark.parametrize("q", [0, -1, 100.5])
def test_percentile_outside_its_range_is_refused(q: float) -> None:
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], q)


def test_percentile_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


def test_latency_metrics_and_description() -> None:
    latency = Latency((1.234, 2.0, 50.0))
    assert latency.metrics() == {"p50_ms": 2.0, "p95_ms": 50.0, "max_ms": 50.0}
    assert latency.describe() == "p50 2.0 ms, p95 50.0 ms, max 50.0 ms"
    assert Latency(()).describe() == "no answered probe"


def test_budget_names_each_exceeded_percentile() -> None:
    latency = Latency(tuple(float(value) for value in range(1, 21)))
    assert Budget(p50_ms=10, p95_ms=18, max_ms=25).exceeded(latency) == [("p95", 19.0, 18.0)]
    assert Budget(p50_ms=9, max_ms=19).exceeded(latency) == [
        ("p50", 10.0, 9.0),
        ("max", 20.0, 19.0),
    ]
    assert Budget().exceeded(latency) == []
    assert Budget(p50_ms=0).exceeded(Latency(())) == []
