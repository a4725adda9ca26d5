"""Backoff models: for each retry, the interval its wait must fall in under a library's formula.

A model answers `bounds(retry, previous)`: `retry` is 1 for the wait before the first retry (after
the first attempt failed), `previous` the wait measured before the previous retry (only the
decorrelated jitter depends on it). Random formulas give the whole range they draw from, so a
correct client always lands inside and a client without backoff lands below.

The formulas follow the libraries' code (urllib3 2.x `Retry.get_backoff_time`, tenacity 9
`wait_exponential`, `wait_random_exponential`, `wait_exponential_jitter`) and the AWS
Architecture Blog post "Exponential Backoff And Jitter" (full, equal and decorrelated jitter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Bounds:
    """The closed interval [low, high] of seconds a wait may take."""

    low: float
    high: float

    def widened(self, jitter: float) -> Bounds:
        """Room for a uniform jitter of up to `jitter` seconds added to the wait."""
        return Bounds(self.low, self.high + jitter)

    def capped(self, cap: float | None) -> Bounds:
        if cap is None:
            return self
        return Bounds(min(self.low, cap), min(self.high, cap))


class Backoff(Protocol):
    def bounds(self, retry: int, previous: float | None) -> Bounds:
        """The interval the wait before retry number `retry` (1-based) falls in."""
        ...


def _clamp(seconds: float, low: float, high: float) -> float:
    """tenacity's clamping: `max(max(0, low), min(seconds, high))`."""
    return max(max(0.0, low), min(seconds, high))


def _grow(scale: float, exp_base: float, exponent: int) -> float:
    """`scale * exp_base ** exponent`, infinite instead of overflowing."""
    try:
        return scale * exp_base**exponent
    except OverflowError:
        return math.inf


class _UrllibRetryLike(Protocol):
    backoff_factor: float
    backoff_max: float
    backoff_jitter: float


class _TenacityExponentialLike(Protocol):
    multiplier: float
    max: float
    exp_base: float
    min: float


class _TenacityJitterLike(_TenacityExponentialLike, Protocol):
    jitter: float


@dataclass(frozen=True)
class Constant:
    """The same wait before every retry (tenacity's `wait_fixed`, a plain `sleep(n)` loop)."""

    wait: float

    def bounds(self, retry: int, previous: float | None) -> Bounds:
        return Bounds(self.wait, self.wait)


@dataclass(frozen=True)
class UrllibRetry:
    """urllib3's `Retry`: no wait before the first retry, then
    `min(backoff_max, backoff_factor * 2 ** (retry - 1) + uniform(0, backoff_jitter))`.
    """

    backoff_factor: float
    backoff_max: float = 120.0
    backoff_jitter: float = 0.0

    @classmethod
    def of(cls, retry: _UrllibRetryLike) -> UrllibRetry:
        """The model of a configured `urllib3.util.Retry`."""
        return cls(retry.backoff_factor, retry.backoff_max, retry.backoff_jitter)

    def bounds(self, retry: int, previous: float | None) -> Bounds:
        if retry <= 1:
            return Bounds(0.0, 0.0)
        base = _grow(self.backoff_factor, 2, retry - 1)
        return Bounds(
            max(0.0, min(self.backoff_max, base)),
            max(0.0, min(self.backoff_max, base + self.backoff_jitter)),
        )


@dataclass(frozen=True)
class TenacityExponential:
    """tenacity's `wait_exponential`: `multiplier * exp_base ** (retry - 1)` within [min, max]."""

    multiplier: float = 1.0
    max: float = math.inf
    exp_base: float = 2.0
    min: float = 0.0

    @classmethod
    def of(cls, wait: _TenacityExponentialLike) -> TenacityExponential:
        """The model of a configured `tenacity.wait_exponential` (or, for
        `TenacityRandomExponential`, of `wait_random_exponential`, which subclasses it)."""
        expected = (
            "wait_random_exponential" if cls is TenacityRandomExponential else "wait_exponential"
        )
        if type(wait).__name__ != expected:
            raise TypeError(
                f"{cls.__name__}.of() models tenacity's {expected}, not {type(wait).__name__}: "
                "use TenacityRandomExponential.of() for wait_random_exponential and "
                "TenacityExponentialJitter.of() for wait_exponential_jitter, whose waits are "
                "random (a fixed model would reject every jittered wait)"
            )
        return cls(wait.multiplier, wait.max, wait.exp_base, wait.min)

    def bounds(self, retry: int, previous: float | None) -> Bounds:
        wait = _clamp(_grow(self.multiplier, self.exp_base, retry - 1), self.min, self.max)
        return Bounds(wait, wait)


@dataclass(frozen=True)
class TenacityRandomExponential(TenacityExponential):
    """tenacity's `wait_random_exponential`: uniform from `min` to `wait_exponential`'s value."""

    def bounds(self, retry: int, previous: float | None) -> Bounds:
        high = super().bounds(retry, previous).high
        return Bounds(max(0.0, self.min), high)


@dataclass(frozen=True)
class TenacityExponentialJitter:
    """tenacity's `wait_exponential_jitter`:
    `multiplier * exp_base ** (retry - 1) + uniform(0, jitter)` clamped to [min, max].
    """

    multiplier: float = 1.0
    max: float = math.inf
    exp_base: float = 2.0
    jitter: float = 1.0
    min: float = 0.0

    @classmethod
    def of(cls, wait: _TenacityJitterLike) -> TenacityExponentialJitter:
        """The model of a configured `tenacity.wait_exponential_jitter`."""
        return cls(wait.multiplier, wait.max, wait.exp_base, wait.jitter, wait.min)

    def bounds(self, retry: int, previous: float | None) -> Bounds:
        base = _grow(self.multiplier, self.exp_base, retry - 1)
        return Bounds(
            _clamp(base, self.min, self.max), _clamp(base + self.jitter, self.min, self.max)
        )


@dataclass(frozen=True)
class FullJitter:
    """AWS full jitter: `uniform(0, min(cap, base * 2 ** attempt))`, attempt = retry - 1.

    Its lower bound is 0, so a client that never sleeps fits it: give `min_wait` (a floor your
    client guarantees, e.g. its own minimum) to catch a retry loop with no backoff at all.
    """

    base: float
    cap: float = math.inf
    min_wait: float = 0.0

    def bounds(self, retry: int, previous: float | None) -> Bounds:
        high = min(self.cap, _grow(self.base, 2, retry - 1))
        return Bounds(min(self.min_wait, high), high)


@dataclass(frozen=True)
class EqualJitter:
    """AWS equal jitter: `temp / 2 + uniform(0, temp / 2)`, `temp = min(cap, base * 2 ** attempt)`,
    attempt = retry - 1.
    """

    base: float
    cap: float = math.inf

    def bounds(self, retry: int, previous: float | None) -> Bounds:
        temp = min(self.cap, _grow(self.base, 2, retry - 1))
        return Bounds(temp / 2, temp)


@dataclass(frozen=True)
class DecorrelatedJitter:
    """AWS decorrelated jitter: `min(cap, uniform(base, previous * 3))`, `previous` = base at first.

    The measured previous wait includes connection set-up, so the upper bound it gives is a
    little generous, never too strict.
    """

    base: float
    cap: float = math.inf

    def bounds(self, retry: int, previous: float | None) -> Bounds:
        last = self.base if retry <= 1 or previous is None else previous
        return Bounds(min(self.cap, self.base), min(self.cap, max(self.base, last * 3)))
