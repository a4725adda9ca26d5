"""Latency percentiles and the budgets they are held to.

Nearest-rank percentiles: every figure reported is a latency that was really measured, which
is what a reader comparing it with a budget expects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(samples: Sequence[float], q: float) -> float:
    """The nearest-rank `q`th percentile (0 < q <= 100) of non-empty `samples`."""
    if not samples:
        raise ValueError("no samples")
    if not 0 < q <= 100:
        raise ValueError(f"percentile {q} is outside (0, 100]")
    ordered = sorted(samples)
    rank = math.ceil(q / 100 * len(ordered))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Latency:
    """The latencies of a series of answered probes, in milliseconds."""

    samples: tuple[float, ...]

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def max(self) -> float:
        return max(self.samples)

    def metrics(self) -> dict[str, float]:
        if not self.samples:
            return {}
        return {
            "p50_ms": round(self.p50, 2),
            "p95_ms": round(self.p95, 2),
            "max_ms": round(self.max, 2),
        }

    def describe(self) -> str:
        if not self.samples:
            return "no answered probe"
        return f"p50 {self.p50:.1f} ms, p95 {self.p95:.1f} ms, max {self.max:.1f} ms"


@dataclass(frozen=True)
class Budget:
    """Latency limits in ms; None means that percentile is not held to a budget."""

    p50_ms: float | None = None
    p95_ms: float | None = None
    max_ms: float | None = None

    def exceeded(self, latency: Latency) -> list[tuple[str, float, float]]:
        """(name, measured, budget) for each percentile over its budget."""
        if not latency.samples:
            return []
        limits = [
            ("p50", latency.p50, self.p50_ms),
            ("p95", latency.p95, self.p95_ms),
            ("max", latency.max, self.max_ms),
        ]
        return [
            (name, measured, limit)
            for name, measured, limit in limits
            if limit is not None and measured > limit
        ]
