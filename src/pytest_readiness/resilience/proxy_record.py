"""What a `FaultProxy` saw: each connection, its bytes each way, its life, who closed it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Closer = Literal["client", "upstream", "proxy", ""]


@dataclass(frozen=True)
class Connection:
    """One client connection through the proxy; times are `time.monotonic()` seconds."""

    number: int
    opened_at: float
    closed_at: float | None
    bytes_upstream: int
    bytes_downstream: int
    closed_by: Closer
    """`proxy` when a fault ended it (a reset, a data limit, the proxy going down)."""
    reached_upstream: bool
    """False when the dependency behind the proxy refused or did not answer the connect."""
    faults: tuple[str, ...]
    """The toxics that acted on it (dropped, delayed, cut or reset its data)."""

    @property
    def failed(self) -> bool:
        """Whether the dependency could not have served the client on this connection."""
        return not self.reached_upstream or self.closed_by == "proxy" or "BlackHole" in self.faults

    @property
    def duration(self) -> float | None:
        return None if self.closed_at is None else self.closed_at - self.opened_at


@dataclass(frozen=True)
class ProxyRecord:
    """The connections since the proxy started (or was last reset), in order of arrival."""

    connections: tuple[Connection, ...]

    @property
    def bytes_upstream(self) -> int:
        return sum(connection.bytes_upstream for connection in self.connections)

    @property
    def bytes_downstream(self) -> int:
        return sum(connection.bytes_downstream for connection in self.connections)

    def describe(self) -> str:
        """One line per connection, times relative to the first, for failure messages."""
        if not self.connections:
            return "  (no connections)"
        start = self.connections[0].opened_at
        lines = []
        for connection in self.connections:
            ended = (
                "open"
                if connection.closed_at is None
                else f"closed +{connection.closed_at - start:.3f} s by {connection.closed_by}"
            )
            faults = f" [{', '.join(connection.faults)}]" if connection.faults else ""
            lines.append(
                f"  #{connection.number} at +{connection.opened_at - start:.3f} s, "
                f"{connection.bytes_upstream} B up, {connection.bytes_downstream} B down, "
                f"{ended}{faults}"
            )
        return "\n".join(lines)
