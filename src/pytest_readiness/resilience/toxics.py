"""The faults a `FaultProxy` can put on a TCP connection, modelled on toxiproxy's toxics.

Each toxic acts on one direction of the stream — `upstream` (client to dependency),
`downstream` (dependency to client, the default, as in toxiproxy) or `both` — and on a share
of the connections given by `toxicity` (decided once per connection and toxic). They are plain
values: the proxy reads the active set at every chunk, so changing them takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Direction = Literal["upstream", "downstream", "both"]


@dataclass(frozen=True, kw_only=True)
class Toxic:
    direction: Direction = "downstream"
    toxicity: float = 1.0
    """The probability that a connection is affected (1.0: every connection)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.toxicity <= 1.0:
            raise ValueError(f"toxicity must lie in [0, 1], not {self.toxicity}")
        if self.direction not in ("upstream", "downstream", "both"):
            raise ValueError(f"direction must be upstream, downstream or both: {self.direction!r}")

    def acts_on(self, direction: str) -> bool:
        return self.direction in (direction, "both")


@dataclass(frozen=True)
class Latency(Toxic):
    """Hold every chunk for `delay` seconds, plus or minus up to `jitter`."""

    delay: float
    jitter: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.delay < 0 or self.jitter < 0:
            raise ValueError("delay and jitter must not be negative")


@dataclass(frozen=True)
class Bandwidth(Toxic):
    """Pass at most `bytes_per_second`."""

    bytes_per_second: int

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.bytes_per_second <= 0:
            raise ValueError("bytes_per_second must be positive")


@dataclass(frozen=True)
class SlowClose(Toxic):
    """When the sending side closes, wait `delay` seconds before passing the close on."""

    delay: float


@dataclass(frozen=True)
class BlackHole(Toxic):
    """Accept and read, never forward: the peer waits until its own timeout fires."""


@dataclass(frozen=True)
class ResetPeer(Toxic):
    """Reset the connection (TCP RST) `after` seconds, counted from when data first flows
    in the toxic's direction or from when the toxic was set on an idle connection."""

    after: float = 0.0


@dataclass(frozen=True)
class Slicer(Toxic):
    """Cut data into pieces of about `average_size` bytes (+- `variation`), `delay` apart."""

    average_size: int = 1
    variation: int = 0
    delay: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.average_size < 1 or not 0 <= self.variation < self.average_size:
            raise ValueError("average_size must be >= 1 and variation in [0, average_size)")


@dataclass(frozen=True)
class LimitData(Toxic):
    """Close the connection once `bytes` have passed in the toxic's direction."""

    bytes: int


@dataclass(frozen=True)
class Down(Toxic):
    """Refuse new connections (nothing listens) and close the open ones: a dependency gone."""

    direction: Direction = field(default="both")


TOXICS = (Latency, Bandwidth, SlowClose, BlackHole, ResetPeer, Slicer, LimitData, Down)
