"""What the fault server does with each request: the faults and the scripts that order them.

Plain data, no sockets: a test states the misbehaviour it wants, the server's playback enacts it,
and the same script tells the test what a correct client should end up with (`Script.expect`).
"""

from __future__ import annotations

import email.utils
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Then = Literal["repeat", "cycle"]


def _is_success(status: int) -> bool:
    return 200 <= status < 400


@dataclass(frozen=True)
class RetryAfter:
    """A `Retry-After` header: delay-seconds, or an HTTP-date `seconds` from the moment of sending.

    RFC 9110 allows only whole delay-seconds, and urllib3 rejects anything else; a fraction such as
    `RetryAfter(0.05)` is rendered as `0.05`, which keeps tests of hand-written clients fast.
    An HTTP-date has one-second resolution, so it is rounded up to the next whole second and the
    wait it really asks for (recorded by the server) lies between `seconds` and `seconds + 1`.
    """

    seconds: float
    http_date: bool = False

    def render(self, now: float) -> tuple[str, float]:
        """The header value and the wait it asks for, given the wall-clock time of sending."""
        if self.http_date:
            moment = math.ceil(now + self.seconds)
            return email.utils.formatdate(moment, usegmt=True), moment - now
        if float(self.seconds).is_integer():
            return str(int(self.seconds)), self.seconds
        return f"{self.seconds:g}", self.seconds

    def __str__(self) -> str:
        form = "HTTP-date" if self.http_date else "seconds"
        return f"Retry-After {self.seconds:g} s as {form}"


@dataclass(frozen=True)
class Respond:
    """An answer with this status, body and headers, optionally after a delay before the headers."""

    status: int = 200
    body: bytes = b"ok"
    headers: Mapping[str, str] = field(default_factory=dict)
    retry_after: RetryAfter | None = None
    delay: float = 0.0

    def answers(self, within: float) -> bool:
        return _is_success(self.status) and self.delay < within

    def __str__(self) -> str:
        parts = [str(self.status)]
        if self.retry_after is not None:
            parts.append(str(self.retry_after))
        if self.delay:
            parts.append(f"after {self.delay * 1000:g} ms")
        return " ".join(parts)


@dataclass(frozen=True, kw_only=True)
class SlowBody:
    """Headers at once, then the body dripped in `chunks` pieces, each after `interval` seconds.

    Keyword-only, like `Truncate`: `SlowBody(b"...", 5)` would silently set the status.

    Every read returns something before a per-read timeout fires, so only a client with a
    deadline for the whole exchange gives up on it. A body shorter than `chunks` bytes drips
    one byte at a time.
    """

    status: int = 200
    body: bytes = b"ok, slowly but surely"
    chunks: int = 10
    interval: float = 0.01

    def pieces(self) -> list[bytes]:
        count = max(1, min(self.chunks, len(self.body)))
        bounds = [len(self.body) * index // count for index in range(count + 1)]
        return [self.body[start:end] for start, end in itertools.pairwise(bounds)]

    @property
    def duration(self) -> float:
        return len(self.pieces()) * self.interval

    def answers(self, within: float) -> bool:
        return _is_success(self.status) and self.duration < within

    def __str__(self) -> str:
        return f"{self.status} slow body {self.chunks} x {self.interval * 1000:g} ms"


@dataclass(frozen=True, kw_only=True)
class Truncate:
    """Headers promising the whole body, then only its first `sent` bytes and a close."""

    status: int = 200
    body: bytes = b"a body the client never fully gets"
    sent: int = 4

    def answers(self, within: float) -> bool:
        return self.sent >= len(self.body) and _is_success(self.status)

    def __str__(self) -> str:
        return f"{self.status} truncated at {self.sent}/{len(self.body)} bytes"


@dataclass(frozen=True)
class Close:
    """Read the request, then close the connection without a word (the client sees EOF)."""

    def answers(self, within: float) -> bool:
        return False

    def __str__(self) -> str:
        return "close without answer"


@dataclass(frozen=True)
class Reset:
    """Read the request, then reset the connection (TCP RST: the client sees ECONNRESET)."""

    def answers(self, within: float) -> bool:
        return False

    def __str__(self) -> str:
        return "reset (RST)"


@dataclass(frozen=True)
class Hang:
    """Read the request and never answer, until the client gives up or the server is reset."""

    def answers(self, within: float) -> bool:
        return False

    def __str__(self) -> str:
        return "hang"


Fault = Respond | SlowBody | Truncate | Close | Reset | Hang


@dataclass(frozen=True)
class Expectation:
    """What a client that retries every failure should end with under a script."""

    succeeds: bool
    attempts: int


@dataclass(frozen=True, init=False)
class Script:
    """The faults for the 1st, 2nd, ... request; past the end, repeat the last or cycle."""

    steps: tuple[Fault, ...]
    then: Then

    def __init__(self, *steps: Fault, then: Then = "repeat") -> None:
        if not steps:
            raise ValueError("a script needs at least one step")
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "then", then)

    def step(self, index: int) -> Fault:
        """The fault for the request with this 0-based index since the last reset."""
        if index < len(self.steps):
            return self.steps[index]
        if self.then == "cycle":
            return self.steps[index % len(self.steps)]
        return self.steps[-1]

    def expect(self, *, attempts: int, attempt_deadline: float) -> Expectation:
        """The outcome for a client with this attempt budget and per-attempt deadline.

        The client succeeds on the first step that answers in time within its budget; otherwise
        it spends the whole budget and fails.
        """
        for index in range(attempts):
            if self.step(index).answers(attempt_deadline):
                return Expectation(succeeds=True, attempts=index + 1)
        return Expectation(succeeds=False, attempts=attempts)

    def __str__(self) -> str:
        return ", ".join(str(step) for step in self.steps) + f" (then {self.then})"
