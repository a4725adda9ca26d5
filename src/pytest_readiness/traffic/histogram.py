"""A log-bucketed latency histogram with a stated error bound that merges exactly.

Bucket `i` holds the values in (gamma**(i-1), gamma**i] with gamma = (1 + a) / (1 - a), and a
value is reported as 2 * gamma**i / (gamma + 1): every percentile read back lies within a
relative error `a` (RELATIVE_ERROR, 0.5 %) of a latency that was really measured at that rank
(the DDSketch construction). Counts are plain integers per bucket, so histograms recorded in
different processes merge by adding counts and the result equals recording every value in one.
Values at or below MIN_VALUE_MS (1 microsecond) count in a bucket of their own, read as 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

RELATIVE_ERROR = 0.005
GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)
_LOG_GAMMA = math.log(GAMMA)
MIN_VALUE_MS = 0.001
ZERO_BUCKET = -(2**31)
"""The key under which values at or below MIN_VALUE_MS are counted."""
DRAWN_BUCKETS_PER_BIN = 10
"""Fine buckets per bin of the drawn histogram: bins about 10 % wide."""


def bucket_of(value_ms: float) -> int:
    if value_ms <= MIN_VALUE_MS:
        return ZERO_BUCKET
    return math.ceil(math.log(value_ms) / _LOG_GAMMA)


def bucket_value(bucket: int) -> float:
    """The value reported for a bucket: within RELATIVE_ERROR of anything in it."""
    if bucket == ZERO_BUCKET:
        return 0.0
    return 2 * GAMMA**bucket / (GAMMA + 1)


def bucket_upper(bucket: int) -> float:
    return MIN_VALUE_MS if bucket == ZERO_BUCKET else float(GAMMA**bucket)


@dataclass
class Histogram:
    """Latencies in milliseconds; exact count, min, max and sum beside the buckets."""

    counts: dict[int, int] = field(default_factory=dict)
    count: int = 0
    total_ms: float = 0.0
    min_ms: float = math.inf
    max_ms: float = 0.0

    def record(self, value_ms: float, times: int = 1) -> None:
        if value_ms < 0 or math.isnan(value_ms):
            raise ValueError(f"a latency cannot be {value_ms!r}")
        bucket = bucket_of(value_ms)
        self.counts[bucket] = self.counts.get(bucket, 0) + times
        self.count += times
        self.total_ms += value_ms * times
        self.min_ms = min(self.min_ms, value_ms)
        self.max_ms = max(self.max_ms, value_ms)

    def record_all(self, values_ms: Iterable[float]) -> None:
        for value in values_ms:
            self.record(value)

    def merge(self, other: Histogram) -> None:
        """Add `other` into this histogram: the same as having recorded its values here."""
        for bucket, count in other.counts.items():
            self.counts[bucket] = self.counts.get(bucket, 0) + count
        self.count += other.count
        self.total_ms += other.total_ms
        self.min_ms = min(self.min_ms, other.min_ms)
        self.max_ms = max(self.max_ms, other.max_ms)

    def percentile(self, q: float) -> float:
        """The nearest-rank `q`th percentile (0 < q <= 100) within RELATIVE_ERROR; ends exact."""
        if not 0 < q <= 100:
            raise ValueError(f"percentile {q} is outside (0, 100]")
        if not self.count:
            raise ValueError("no latency recorded")
        rank = max(1, math.ceil(q / 100 * self.count))
        if rank == self.count:
            return self.max_ms  # the extremes are kept exactly
        if rank == 1:
            return self.min_ms
        seen = 0
        for bucket in sorted(self.counts):
            seen += self.counts[bucket]
            if seen >= rank:
                return min(max(bucket_value(bucket), self.min_ms), self.max_ms)
        return self.max_ms  # pragma: no cover - the counts add up to `count`

    def count_above(self, value_ms: float) -> int:
        """How many values fell in buckets wholly above `value_ms` (a lower bound)."""
        threshold = bucket_of(value_ms)
        return sum(count for bucket, count in self.counts.items() if bucket > threshold)

    @property
    def mean_ms(self) -> float:
        return self.total_ms / self.count if self.count else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Everything needed to merge it elsewhere, as JSON-able data."""
        return {
            "relative_error": RELATIVE_ERROR,
            "count": self.count,
            "total_ms": self.total_ms,
            "min_ms": self.min_ms if self.count else 0.0,
            "max_ms": self.max_ms,
            "counts": {str(bucket): count for bucket, count in sorted(self.counts.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Histogram:
        if data.get("relative_error") != RELATIVE_ERROR:
            raise ValueError(
                f"histogram recorded with relative error {data.get('relative_error')!r}, "
                f"not {RELATIVE_ERROR}: the buckets do not line up"
            )
        counts = {int(bucket): int(count) for bucket, count in data["counts"].items()}
        if sum(counts.values()) != data["count"]:
            raise ValueError("histogram counts do not add up to its count")
        return cls(
            counts=counts,
            count=int(data["count"]),
            total_ms=float(data["total_ms"]),
            min_ms=float(data["min_ms"]) if data["count"] else math.inf,
            max_ms=float(data["max_ms"]),
        )

    def drawn(self) -> dict[str, Any]:
        """The shape the JSON report carries for drawing: ~10 %-wide bins, empty ones left out."""
        bins: dict[int, int] = {}
        for bucket, count in self.counts.items():
            key = bucket if bucket == ZERO_BUCKET else bucket // DRAWN_BUCKETS_PER_BIN
            bins[key] = bins.get(key, 0) + count
        rows = []
        for key in sorted(bins):
            if key == ZERO_BUCKET:
                low, high = 0.0, MIN_VALUE_MS
            else:
                low = bucket_upper(key * DRAWN_BUCKETS_PER_BIN - 1)
                high = bucket_upper(key * DRAWN_BUCKETS_PER_BIN + DRAWN_BUCKETS_PER_BIN - 1)
            rows.append({"from_ms": _round(low), "to_ms": _round(high), "count": bins[key]})
        return {
            "unit": "ms",
            "count": self.count,
            "relative_error": RELATIVE_ERROR,
            "bins": rows,
        }


def _round(value: float) -> float:
    return float(f"{value:.6g}")
