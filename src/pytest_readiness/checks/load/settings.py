"""One `[[tool.readiness.load]]` entry: the service, the traffic, and the budgets it must hold.

An entry with only a name and a command runs the review's scenario: 1000 requests per minute
with up to 100 in flight for 30 s after a 5 s warmup, p95 under 5 s, fewer than 2 % errors,
at least 95 % of the target rate achieved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Literal

from pytest_readiness.traffic.generator import DEFAULT_LAG_BUDGET_MS
from pytest_readiness.traffic.scenario import RequestSpec, Scenario, Target
from pytest_readiness.traffic.thresholds import (
    DEFAULT_MAX_ERROR_RATE,
    DEFAULT_MIN_RATE_RATIO,
    DEFAULT_P95_MS,
    Thresholds,
)

ENTRY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
DEFAULT_RATE_PER_MINUTE = 1000.0
SERVICE_URL = "http://127.0.0.1:{port}"


@dataclass
class LoadRequest:
    """One kind of request in the mix; `weight` is its share."""

    path: str = "/"
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    weight: int = 1

    def spec(self) -> RequestSpec:
        return RequestSpec(
            method=self.method,
            path=self.path,
            headers=tuple(self.headers.items()),
            body=self.body.encode("utf-8"),
            weight=self.weight,
        )

    def validate(self) -> None:
        self.spec()


@dataclass
class LoadEntry:
    """A scenario to run; with a `command` the check starts the service itself."""

    name: str
    """The item is `load[<name>]`."""
    command: str = ""
    """Starts the service; `{port}` and `{python}` are filled in. Leave empty to load `url`."""
    url: str = ""
    """The service's base URL; default `http://127.0.0.1:{port}` with a command."""
    cwd: str = ""
    """Where the command runs, relative to the rootdir (default: the rootdir)."""
    env: dict[str, str] = field(default_factory=dict)
    """Extra environment of the command; `{port}` is filled in."""
    startup_timeout_s: float = 10.0
    """How long the service may take to listen on `{port}`."""
    engine: Literal["builtin", "locust"] = "builtin"
    """`locust` runs the same scenario on locust (`pytest-readiness[locust]`)."""
    requests: list[LoadRequest] = field(default_factory=lambda: [LoadRequest()])
    """The mix: `{ path, method, headers, body, weight }` tables; default one `GET /`."""
    rate: float | None = None
    """Open model: requests per second (default 1000 per minute). With `users`: their pace."""
    rate_per_minute: float | None = None
    """`rate` in requests per minute, as the review states it."""
    users: int | None = None
    """Closed model: this many users, each waiting for its answer before the next request."""
    max_in_flight: int = 100
    """Open model: requests outstanding at once (the review's concurrent users)."""
    duration_s: float = 30.0
    """The measured window, after the warmup."""
    warmup_s: float = 5.0
    """Traffic at the full rate that is sent but not measured (connections, caches, JIT)."""
    timeout_s: float = 10.0
    """A request unanswered this long is an error; one not started this long after it was
    due is dropped."""
    p50_ms: float | None = None
    """Budget for the median latency, counted from each request's scheduled time."""
    p95_ms: float | None = DEFAULT_P95_MS
    """The review's "p95 < 5 s"."""
    p99_ms: float | None = None
    max_ms: float | None = None
    max_error_rate: float | None = DEFAULT_MAX_ERROR_RATE
    """Share of requests answered 4xx/5xx, reset, refused or timed out; the review's 2 %."""
    min_rate_ratio: float | None = DEFAULT_MIN_RATE_RATIO
    """Achieved over target rate; below it the service could not take the traffic."""
    max_rss_growth_mb: float | None = None
    """MiB the started service's process group may grow by from warmup's end to the run's end."""
    generator_lag_budget_ms: float = DEFAULT_LAG_BUDGET_MS
    """How late (p95) the generator may look at a due request before its figures are void."""
    locust_processes: int = 1
    """locust's `--processes`: generator processes on this machine."""
    locust_expect_workers: int = 0
    """Run locust as master and wait for this many workers started on other machines."""

    def validate(self) -> None:
        if not ENTRY_NAME.fullmatch(self.name):
            raise ValueError(f"name {self.name!r} must be letters, digits, '-', '_' or '.'")
        if not self.command and not self.url:
            raise ValueError("give a `command` that starts the service, or the `url` of a service")
        if "{port}" in self.url and not self.command:
            raise ValueError("a url with {port} needs a `command` that starts the service")
        if self.rate is not None and self.rate_per_minute is not None:
            raise ValueError("give `rate` or `rate_per_minute`, not both")
        if self.max_rss_growth_mb is not None and not self.command:
            raise ValueError("max_rss_growth_mb needs a `command`: only a started service is read")
        if self.locust_processes < 1 or self.locust_expect_workers < 0:
            raise ValueError("locust_processes must be >= 1 and locust_expect_workers >= 0")
        if self.generator_lag_budget_ms <= 0 or self.startup_timeout_s <= 0:
            raise ValueError("generator_lag_budget_ms and startup_timeout_s must be > 0")
        Target.parse(self.service_url.replace("{port}", "1"))
        self.scenario()
        self.thresholds()

    @property
    def service_url(self) -> str:
        return self.url or SERVICE_URL

    def scenario(self) -> Scenario:
        rate = self.rate
        if self.rate_per_minute is not None:
            rate = self.rate_per_minute / 60
        if rate is None and self.users is None:
            rate = DEFAULT_RATE_PER_MINUTE / 60
        return Scenario(
            requests=tuple(request.spec() for request in self.requests),
            rate=rate,
            users=self.users,
            max_in_flight=self.max_in_flight,
            duration_s=self.duration_s,
            warmup_s=self.warmup_s,
            timeout_s=self.timeout_s,
        )

    def thresholds(self) -> Thresholds:
        """The budgets: the keys of this entry that `Thresholds` has, by the same names."""
        return Thresholds(**{key.name: getattr(self, key.name) for key in fields(Thresholds)})
