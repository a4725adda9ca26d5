"""The figures of one load run, the same whichever engine produced them.

Latency counts from the moment a request was scheduled (wrk2's correction for coordinated
omission: a stalled service cannot hide the requests it delayed); service time counts from the
moment the request was written. Samples are kept in flat arrays while the run is hot and go
into histograms once it is over, so recording costs the generator almost nothing.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pytest_readiness.traffic.histogram import Histogram


@dataclass
class Tally:
    """What an engine counts during the measured window."""

    latency_ms: array[float] = field(default_factory=lambda: array("d"))
    service_ms: array[float] = field(default_factory=lambda: array("d"))
    lag_ms: array[float] = field(default_factory=lambda: array("d"))
    """How late the generator looked at each scheduled request: its own delay, not the service's."""
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    dropped: int = 0
    ended_in_window: int = 0
    """Requests (whenever due) that ended inside the window: the throughput really achieved."""
    generator_problems: list[str] = field(default_factory=list)
    cpu_ratio: float = 0.0
    """The generator's CPU time over wall time in the window: near 1.0, it set the pace."""


@dataclass
class LoadResult:
    """Figures of the measured window: what `load` judges and `load_test` returns."""

    engine: str
    model: str
    target_rps: float | None
    duration_s: float
    latency: Histogram
    service: Histogram
    generator_lag: Histogram
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    dropped: int = 0
    ended_in_window: int | None = None
    """Requests that ended inside the window; None where the engine counts only `requests`."""
    rss_before_mb: float | None = None
    rss_after_mb: float | None = None
    cpu_ratio: float = 0.0
    generator_problems: list[str] = field(default_factory=list)
    """Why the generator could not keep its schedule; non-empty means the figures are void."""

    @classmethod
    def from_tally(
        cls, tally: Tally, *, engine: str, model: str, target_rps: float | None, duration_s: float
    ) -> LoadResult:
        histograms = []
        for samples in (tally.latency_ms, tally.service_ms, tally.lag_ms):
            histogram = Histogram()
            histogram.record_all(samples)
            histograms.append(histogram)
        latency, service, lag = histograms
        return cls(
            engine=engine,
            model=model,
            target_rps=target_rps,
            duration_s=duration_s,
            latency=latency,
            service=service,
            generator_lag=lag,
            ok=tally.ok,
            errors=dict(tally.errors),
            dropped=tally.dropped,
            ended_in_window=tally.ended_in_window,
            cpu_ratio=tally.cpu_ratio,
            generator_problems=list(tally.generator_problems),
        )

    @property
    def requests(self) -> int:
        """Requests that ended in the window: answered, failed or timed out."""
        return self.ok + sum(self.errors.values())

    @property
    def achieved_rps(self) -> float:
        """Answers per second inside the window: a run that fell behind shows here."""
        ended = self.requests if self.ended_in_window is None else self.ended_in_window
        return ended / self.duration_s

    @property
    def rate_ratio(self) -> float | None:
        return None if not self.target_rps else self.achieved_rps / self.target_rps

    @property
    def error_rate(self) -> float:
        return sum(self.errors.values()) / self.requests if self.requests else 0.0

    @property
    def rss_growth_mb(self) -> float | None:
        if self.rss_before_mb is None or self.rss_after_mb is None:
            return None
        return self.rss_after_mb - self.rss_before_mb

    def percentile_ms(self, q: float) -> float:
        return self.latency.percentile(q) if self.latency.count else 0.0

    @property
    def p50_ms(self) -> float:
        return self.percentile_ms(50)

    @property
    def p95_ms(self) -> float:
        return self.percentile_ms(95)

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(99)

    @property
    def max_ms(self) -> float:
        return self.latency.max_ms

    def metrics(self) -> dict[str, float]:
        figures = {
            "achieved_rps": round(self.achieved_rps, 2),
            "requests": float(self.requests),
            "error_rate": round(self.error_rate, 5),
            "dropped": float(self.dropped),
        }
        if self.latency.count:
            figures |= {
                "p50_ms": round(self.p50_ms, 2),
                "p95_ms": round(self.p95_ms, 2),
                "p99_ms": round(self.p99_ms, 2),
                "max_ms": round(self.max_ms, 2),
            }
        if self.service.count:
            figures["service_p99_ms"] = round(self.service.percentile(99), 2)
        if self.rss_growth_mb is not None:
            figures["rss_growth_mb"] = round(self.rss_growth_mb, 2)
        return figures

    def histograms(self) -> dict[str, dict[str, Any]]:
        """The latency distributions for the JSON report, in the shape it draws."""
        drawn = {}
        if self.latency.count:
            drawn["latency_ms"] = self.latency.drawn()
        if self.service.count:
            drawn["service_ms"] = self.service.drawn()
        return drawn

    def distribution(self) -> str:
        """One line a reader can judge a budget against."""
        if not self.latency.count:
            return "no request was answered"
        return (
            f"p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
            f"max {self.max_ms:.1f} ms over {self.latency.count} requests"
        )

    def assert_within(self, **budgets: float) -> None:
        """Raise AssertionError naming every budget broken (keys as `Thresholds`), with the report.

        Only the budgets given are held: `assert_within(p95_ms=200, max_error_rate=0.01)`.
        """
        from pytest_readiness.traffic.thresholds import Thresholds, breaches

        unset = dict.fromkeys(("p95_ms", "max_error_rate", "min_rate_ratio"))
        broken = breaches(self, Thresholds(**{**unset, **budgets}))
        if broken:
            lines = [f"{len(broken)} budget(s) broken:"]
            lines += [f"  {breach.figure}: {breach.message}" for breach in broken]
            raise AssertionError("\n".join([*lines, self.report()]))

    def report(self) -> str:
        """A readable account of the run, for failure messages and the terminal."""
        target = "closed loop" if self.target_rps is None else f"target {self.target_rps:.4g} req/s"
        lines = [
            f"{self.engine} engine, {self.model} model, {target}, {self.duration_s:.3g} s measured",
            f"achieved {self.achieved_rps:.1f} req/s; {self.requests} requests, "
            f"{self.dropped} dropped (not started on time)",
            f"latency from schedule: {self.distribution()}",
        ]
        if self.service.count:
            service = self.service
            lines.append(
                f"service time: p50 {service.percentile(50):.1f} ms, "
                f"p99 {service.percentile(99):.1f} ms, max {service.max_ms:.1f} ms"
            )
        if self.errors:
            kinds = ", ".join(f"{kind} x{count}" for kind, count in sorted(self.errors.items()))
            lines.append(f"errors {self.error_rate:.2%}: {kinds}")
        else:
            lines.append("errors: none")
        if self.rss_growth_mb is not None:
            lines.append(
                f"service RSS {self.rss_before_mb:.1f} -> {self.rss_after_mb:.1f} MiB "
                f"({self.rss_growth_mb:+.1f} MiB)"
            )
        if self.generator_lag.count:
            lines.append(
                f"generator: lag p95 {self.generator_lag.percentile(95):.1f} ms, "
                f"CPU {self.cpu_ratio:.0%} of a core"
            )
        lines += [f"generator problem: {problem}" for problem in self.generator_problems]
        return "\n".join(lines)
