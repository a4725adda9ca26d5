"""What the fault server saw: each request, when it arrived, and when the server was done with it.

Gaps between attempts are measured from the moment the server last did something the client could
react to (sent the answer, closed, reset, or saw the client give up) to the next arrival, so the
time a delayed or hanging answer took is not mistaken for the client's backoff.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from pytest_readiness.resilience.faults import Fault


@dataclass(frozen=True)
class Exchange:
    """One request and what the server did with it; times are `time.monotonic()` seconds."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fault: Fault
    arrived_at: float
    ended_at: float | None = None
    retry_after: float | None = None
    """The wait the answer's `Retry-After` asked for, in seconds from `ended_at`."""
    answered: bool = False
    """False while in progress, and when the client left before the whole answer was sent."""

    def header(self, name: str) -> str | None:
        """The first value of a request header, matched without regard to case."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


def _end(exchange: Exchange, timeout: float | None) -> float:
    if exchange.ended_at is None:
        return exchange.arrived_at
    if exchange.answered or timeout is None:
        return exchange.ended_at
    return min(exchange.ended_at, exchange.arrived_at + timeout)


@dataclass(frozen=True)
class Record:
    """The exchanges since the server's last reset, in order of arrival."""

    exchanges: tuple[Exchange, ...]

    @property
    def attempts(self) -> int:
        return len(self.exchanges)

    def gaps(self, timeout: float | None = None) -> tuple[float, ...]:
        """For each retry, the seconds between the end of the previous exchange and its arrival.

        The server sees a client give up on an unanswered exchange only when it closes the
        connection, and some clients (urllib3's `Retry`) close it only after backing off. Given
        the client's per-attempt `timeout`, an unanswered exchange ends when that expires, if the
        server did not see it end earlier. An exchange still in progress counts from its arrival.
        """
        return tuple(
            current.arrived_at - _end(previous, timeout)
            for previous, current in itertools.pairwise(self.exchanges)
        )

    def describe(self) -> str:
        """One line per exchange, times relative to the first arrival, for failure messages."""
        if not self.exchanges:
            return "  (no requests)"
        start = self.exchanges[0].arrived_at
        lines = []
        for number, exchange in enumerate(self.exchanges, start=1):
            ended = (
                "still open"
                if exchange.ended_at is None
                else f"ended +{exchange.ended_at - start:.3f} s"
            )
            arrived = f"+{exchange.arrived_at - start:.3f} s"
            lines.append(
                f"  #{number} {exchange.method} {exchange.path} at {arrived}"
                f" -> {exchange.fault}, {ended}"
            )
        return "\n".join(lines)
