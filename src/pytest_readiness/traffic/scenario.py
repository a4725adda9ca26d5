"""What to send, how often and to whom: the scenario every engine runs the same way.

An open model sends at a target `rate` whatever the service does (up to `max_in_flight`
requests outstanding), as real users arrive; a closed model has `users` that each wait for their
answer before sending again, optionally paced to a total `rate`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class RequestSpec:
    """One kind of request; `weight` is its share of the traffic."""

    method: str = "GET"
    path: str = "/"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    weight: int = 1

    def __post_init__(self) -> None:
        if not self.method.isalpha():
            raise ValueError(f"method {self.method!r} must be letters")
        if not self.path.startswith("/") or any(char in self.path for char in " \r\n"):
            raise ValueError(f"path {self.path!r} must start with / and hold no spaces")
        if self.weight < 1:
            raise ValueError(f"weight {self.weight} must be at least 1")
        for name, value in self.headers:
            if not name or any(char in name + value for char in "\r\n") or ":" in name:
                raise ValueError(f"header {name!r} is not a valid HTTP header")

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def encode(self, host_header: str) -> bytes:
        """The request as HTTP/1.1 bytes on a keep-alive connection."""
        lines = [f"{self.method.upper()} {self.path} HTTP/1.1", f"Host: {host_header}"]
        names = {name.lower() for name, _ in self.headers}
        if "user-agent" not in names:
            lines.append("User-Agent: pytest-readiness-load")
        lines += [f"{name}: {value}" for name, value in self.headers]
        if self.body or self.method.upper() in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass(frozen=True)
class Target:
    """Where the service listens, from a URL such as `http://127.0.0.1:8080`."""

    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"url {url!r} must be http:// or https:// with a host")
        if parts.path not in ("", "/") or parts.query:
            raise ValueError(f"url {url!r} names the service only; put paths in the requests")
        return cls(parts.scheme, parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme])

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host_header}"


@dataclass(frozen=True)
class Scenario:
    """The traffic: rates in requests per second, times in seconds."""

    requests: tuple[RequestSpec, ...] = (RequestSpec(),)
    rate: float | None = None
    """Open model: requests per second (required). With `users`: the users' total pace, or None."""
    users: int | None = None
    """Closed model: this many users, each waiting for its answer before the next request."""
    max_in_flight: int = 100
    duration_s: float = 30.0
    warmup_s: float = 5.0
    timeout_s: float = 10.0
    schedule: tuple[int, ...] = field(init=False, repr=False, compare=False)
    """Indices into `requests`, one cycle of the weighted order (smooth weighted round-robin)."""

    def __post_init__(self) -> None:
        if not self.requests:
            raise ValueError("a scenario needs at least one request")
        if self.users is None and self.rate is None:
            raise ValueError("an open model needs a rate")
        if self.rate is not None and not (self.rate > 0 and math.isfinite(self.rate)):
            raise ValueError(f"rate {self.rate} must be a positive number")
        if self.users is not None and self.users < 1:
            raise ValueError(f"users {self.users} must be at least 1")
        if self.max_in_flight < 1:
            raise ValueError(f"max_in_flight {self.max_in_flight} must be at least 1")
        if self.duration_s <= 0 or self.warmup_s < 0 or self.timeout_s <= 0:
            raise ValueError("duration_s and timeout_s must be > 0 and warmup_s >= 0")
        object.__setattr__(self, "schedule", weighted_cycle([r.weight for r in self.requests]))

    @property
    def open(self) -> bool:
        return self.users is None


def weighted_cycle(weights: Sequence[int]) -> tuple[int, ...]:
    """One cycle of smooth weighted round-robin: exact shares, kinds interleaved evenly.

    Weights are reduced by their common divisor first, so the cycle stays short.
    """
    divisor = math.gcd(*weights)
    reduced = [weight // divisor for weight in weights]
    current = [0] * len(reduced)
    total = sum(reduced)
    order = []
    for _ in range(total):
        for index, weight in enumerate(reduced):
            current[index] += weight
        chosen = max(range(len(reduced)), key=lambda index: current[index])
        current[chosen] -= total
        order.append(chosen)
    return tuple(order)
