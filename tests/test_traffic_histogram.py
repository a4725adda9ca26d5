"""The histogram's maths: the stated error bound, exact merges, and round trips."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.traffic.histogram import (
    MIN_VALUE_MS,
    RELATIVE_ERROR,
    Histogram,
    bucket_of,
    bucket_value,
)

latencies = st.floats(min_value=0.0, max_value=3_600_000.0, allow_nan=False)
samples = st.lists(latencies, min_size=1, max_size=300)
quantiles = st.floats(min_value=0.01, max_value=100.0)


def _filled(values: list[float]) -> Histogram:
    histogram = Histogram()
    histogram.record_all(values)
    return histogram


def _within_bound(reported: float, true: float) -> bool:
    if true <= MIN_VALUE_MS:
        return reported <= MIN_VALUE_MS
    return abs(reported - true) <= RELATIVE_ERROR * true * (1 + 1e-9)


@given(value=st.floats(min_value=MIN_VALUE_MS * 1.0001, max_value=1e7))
def test_a_bucket_reads_back_within_the_relative_error(value: float) -> None:
    assert _within_bound(bucket_value(bucket_of(value)), value)


@given(values=samples, q=quantiles)
def test_percentiles_are_within_the_bound_of_the_true_nearest_rank(
    values: list[float], q: float
) -> None:
    ordered = sorted(values)
    true = ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]
    assert _within_bound(_filled(values).percentile(q), true)


@given(values=samples)
def test_count_min_max_and_mean_are_exact(values: list[float]) -> None:
    histogram = _filled(values)
    assert histogram.count == len(values)
    assert histogram.min_ms == min(values)
    assert histogram.max_ms == max(values)
    assert histogram.percentile(100) == max(values)
    assert histogram.mean_ms == pytest.approx(sum(values) / len(values))


@given(parts=st.lists(samples, min_size=1, max_size=5))
def test_merging_equals_recording_everything_in_one(parts: list[list[float]]) -> None:
    merged = Histogram()
    for part in parts:
        merged.merge(_filled(part))
    whole = _filled([value for part in parts for value in part])
    assert merged.counts == whole.counts
    assert (merged.count, merged.min_ms, merged.max_ms) == (whole.count, whole.min_ms, whole.max_ms)
    assert merged.total_ms == pytest.approx(whole.total_ms)


@given(values=samples)
def test_the_dict_form_round_trips_for_merging_elsewhere(values: list[float]) -> None:
    histogram = _filled(values)
    again = Histogram.from_dict(histogram.to_dict())
    assert again == histogram


@given(values=samples)
def test_drawn_bins_hold_every_value_in_order(values: list[float]) -> None:
    drawn = _filled(values).drawn()
    bins = drawn["bins"]
    assert sum(row["count"] for row in bins) == drawn["count"] == len(values)
    assert all(row["from_ms"] < row["to_ms"] for row in bins)
    assert all(a["to_ms"] <= b["from_ms"] for a, b in itertools.pairwise(bins))
    for value in values:
        assert any(row["from_ms"] * 0.9999 <= value <= row["to_ms"] * 1.0001 for row in bins)


def test_record_many_at_once_counts_each() -> None:
    histogram = Histogram()
    histogram.record(20.0, times=4)
    histogram.record(10.0)
    assert histogram.count == 5
    assert histogram.percentile(20) == pytest.approx(10.0, rel=RELATIVE_ERROR)
    assert histogram.percentile(50) == pytest.approx(20.0, rel=RELATIVE_ERROR)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be"):
        Histogram().record(-1.0)
    with pytest.raises(ValueError, match="no latency"):
        Histogram().percentile(50)
    with pytest.raises(ValueError, match="outside"):
        _filled([1.0]).percentile(0)
    data = _filled([1.0]).to_dict()
    with pytest.raises(ValueError, match="do not line up"):
        Histogram.from_dict({**data, "relative_error": 0.01})
    with pytest.raises(ValueError, match="add up"):
        Histogram.from_dict({**data, "count": 2})
