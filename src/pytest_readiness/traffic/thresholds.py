"""Budgets a load run is held to, as k6 thresholds: each one broken is named with its figure.

The defaults are the review's: p95 under 5 s and fewer than 2 % errors (at 1000 requests per
minute with 100 in flight, which is the scenario's default), and at least 95 % of the target
rate achieved.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_readiness.traffic.figures import LoadResult

DEFAULT_P95_MS = 5000.0
DEFAULT_MAX_ERROR_RATE = 0.02
DEFAULT_MIN_RATE_RATIO = 0.95


class Unmeasurable(Exception):
    """A budget was set for a figure this run could not measure."""


@dataclass(frozen=True)
class Thresholds:
    p50_ms: float | None = None
    p95_ms: float | None = DEFAULT_P95_MS
    p99_ms: float | None = None
    max_ms: float | None = None
    max_error_rate: float | None = DEFAULT_MAX_ERROR_RATE
    min_rate_ratio: float | None = DEFAULT_MIN_RATE_RATIO
    max_rss_growth_mb: float | None = None

    def __post_init__(self) -> None:
        for name in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "max_rss_growth_mb"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be greater than 0")
        for name in ("max_error_rate", "min_rate_ratio"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1")


@dataclass(frozen=True)
class Breach:
    """One budget broken: which figure, what was measured, what was allowed."""

    rule: str
    figure: str
    measured: float
    budget: float
    message: str


def breaches(result: LoadResult, thresholds: Thresholds) -> list[Breach]:
    """Every budget `result` breaks; raises Unmeasurable for a budget it cannot judge."""
    found = _latency_breaches(result, thresholds)
    if thresholds.max_error_rate is not None and result.error_rate > thresholds.max_error_rate:
        kinds = ", ".join(f"{kind} x{count}" for kind, count in sorted(result.errors.items()))
        found.append(
            Breach(
                "error-rate",
                "error_rate",
                result.error_rate,
                thresholds.max_error_rate,
                f"{result.error_rate:.2%} of {result.requests} requests failed ({kinds}); "
                f"the budget is {thresholds.max_error_rate:.2%}",
            )
        )
    ratio = result.rate_ratio
    minimum = thresholds.min_rate_ratio
    if minimum is not None and ratio is not None and ratio < minimum:
        found.append(
            Breach(
                "rate-below-target",
                "achieved_rps",
                ratio,
                minimum,
                f"achieved {result.achieved_rps:.1f} req/s, {ratio:.0%} of the target "
                f"{result.target_rps:g} req/s (budget {minimum:.0%}); "
                f"{result.dropped} requests could not start on time with every slot busy",
            )
        )
    if thresholds.max_rss_growth_mb is not None:
        growth = result.rss_growth_mb
        if growth is None:
            raise Unmeasurable(
                "max_rss_growth_mb needs the service's memory: give a `command` so the check "
                "starts the service and can read its processes in /proc"
            )
        if growth > thresholds.max_rss_growth_mb:
            found.append(
                Breach(
                    "rss-growth",
                    "rss_growth_mb",
                    growth,
                    thresholds.max_rss_growth_mb,
                    f"the service's RSS grew by {growth:.1f} MiB "
                    f"({result.rss_before_mb:.1f} -> {result.rss_after_mb:.1f} MiB) over "
                    f"{result.requests} requests; the budget is "
                    f"{thresholds.max_rss_growth_mb:g} MiB",
                )
            )
    return found


def _latency_breaches(result: LoadResult, thresholds: Thresholds) -> list[Breach]:
    budgets = {
        "p50_ms": (thresholds.p50_ms, 50.0),
        "p95_ms": (thresholds.p95_ms, 95.0),
        "p99_ms": (thresholds.p99_ms, 99.0),
        "max_ms": (thresholds.max_ms, 100.0),
    }
    found = []
    for figure, (budget, q) in budgets.items():
        if budget is None:
            continue
        if not result.latency.count:
            raise Unmeasurable(f"{figure} cannot be judged: no request was answered")
        measured = result.max_ms if q == 100 else result.percentile_ms(q)
        if measured > budget:
            name = "max" if q == 100 else f"p{q:g}"
            found.append(
                Breach(
                    f"{name}-over-budget",
                    figure,
                    measured,
                    budget,
                    f"{name} latency {measured:.1f} ms is over its budget of {budget:g} ms "
                    f"({result.distribution()})",
                )
            )
    return found
