"""Assertions on a client's retries, read from what the fault server recorded.

They work with any client because they look only at the wire: how many requests arrived, which
methods were repeated, and how long the client waited between the end of one exchange and the
next arrival. Failure messages print the measured gaps beside the bounds they were held to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from pytest_readiness.resilience.backoff import Backoff, Bounds
from pytest_readiness.resilience.record import Record

NON_IDEMPOTENT_METHODS = frozenset({"POST", "PATCH"})


@dataclass(frozen=True)
class Tolerance:
    """How far a measured gap may stray from its bounds before it counts as wrong.

    `early` covers clock reads and thread wake-ups on the server; `late` covers scheduling noise
    and connection set-up on a busy machine (two xdist workers on two cores, say). Backoff that is
    missing shows up as gaps far below the lower bound, which `early` never hides.
    """

    early: float = 0.01
    late: float = 0.15


@dataclass(frozen=True)
class _Gap:
    retry: int
    measured: float
    expected: Bounds
    basis: str

    def verdict(self, tolerance: Tolerance) -> str:
        if self.measured < self.expected.low - tolerance.early:
            return "TOO SOON"
        if self.measured > self.expected.high + tolerance.late:
            return "TOO LATE"
        return "ok"


def assert_no_unsafe_retries(
    record: Record,
    *,
    methods: Collection[str] = NON_IDEMPOTENT_METHODS,
    idempotency_header: str | None = None,
) -> None:
    """Fail when the same non-idempotent request (method, path and body) arrived more than once.

    Once a POST has reached the server it may have taken effect; sending it again can charge a
    card twice. A client may retry it only when the request never left (connection refused) or
    the server de-duplicates it: name the header that carries the key (`idempotency_header=
    "Idempotency-Key"`) and repeats that all carry the same non-empty key are accepted.
    """
    wanted = {method.upper() for method in methods}
    seen: defaultdict[tuple[str, str, bytes], list[int]] = defaultdict(list)
    keys: defaultdict[tuple[str, str, bytes], set[str | None]] = defaultdict(set)
    for number, exchange in enumerate(record.exchanges, start=1):
        if exchange.method.upper() in wanted:
            request = (exchange.method.upper(), exchange.path, exchange.body)
            seen[request].append(number)
            if idempotency_header is not None:
                keys[request].add(exchange.header(idempotency_header) or None)
    repeated = {
        key: numbers
        for key, numbers in seen.items()
        if len(numbers) > 1 and not (len(keys[key]) == 1 and None not in keys[key])
    }
    if repeated:
        lines = [
            f"{method} {path} was sent {len(numbers)} times (requests "
            + ", ".join(f"#{number}" for number in numbers)
            + ")"
            for (method, path, _), numbers in repeated.items()
        ]
        raise AssertionError(
            "a non-idempotent request was retried after it reached the server:\n  "
            + "\n  ".join(lines)
            + "\nit may already have taken effect; retry it only on connection errors before"
            " sending, or make it idempotent (the same idempotency key on every try) and pass"
            " idempotency_header=NAME (or allow_non_idempotent=True to assert_retries)"
            "\nrequests seen:\n" + record.describe()
        )


def _expected_gaps(
    record: Record,
    backoff: Backoff | None,
    jitter: float,
    cap: float | None,
    respects_retry_after: bool,
    timeout: float | None,
) -> list[_Gap]:
    gaps = []
    previous: float | None = None
    for retry, measured in enumerate(record.gaps(timeout), start=1):
        after = record.exchanges[retry - 1]
        model = None if backoff is None else backoff.bounds(retry, previous)
        if model is not None:
            model = model.widened(jitter).capped(cap)
        if respects_retry_after and after.retry_after is not None:
            wait = after.retry_after
            high = wait if model is None else max(wait, model.high)
            gaps.append(_Gap(retry, measured, Bounds(wait, high), "Retry-After"))
        elif model is not None:
            gaps.append(_Gap(retry, measured, model, "backoff"))
        previous = measured
    return gaps


def _timing_table(gaps: list[_Gap], tolerance: Tolerance) -> str:
    rows = [
        f"  {gap.retry:>5}  {gap.measured:9.3f}  {gap.expected.low:8.3f} .."
        f" {gap.expected.high:<8.3f}  {gap.basis:<11}  {gap.verdict(tolerance)}"
        for gap in gaps
    ]
    header = "  retry  gap (s)    expected (s)          from         verdict"
    return "\n".join([header, *rows])


def assert_retries(
    record: Record,
    *,
    attempts: int,
    backoff: Backoff | None = None,
    jitter: float = 0.0,
    cap: float | None = None,
    respects_retry_after: bool = False,
    allow_non_idempotent: bool = False,
    timeout: float | None = None,
    tolerance: Tolerance | None = None,
) -> None:
    """Fail unless the client made exactly `attempts` requests, waiting as `backoff` says.

    `jitter` widens every upper bound by a uniform jitter the model does not know about; `cap`
    limits every wait. With `respects_retry_after`, a retry after an answer carrying
    `Retry-After` must wait at least what the header asked for (and at most the larger of that
    and the backoff). Non-idempotent requests must not be repeated unless `allow_non_idempotent`.
    Pass the client's per-attempt `timeout` when the script has hangs or delays: see
    `Record.gaps` for why the server alone cannot always tell when the client gave up.
    """
    if backoff is None and (jitter or cap is not None):
        raise ValueError("jitter and cap shape a backoff model: pass backoff= as well")
    tolerance = tolerance or Tolerance()
    if record.attempts != attempts:
        raise AssertionError(
            f"expected {attempts} attempt(s), the server saw {record.attempts}:\n"
            + record.describe()
        )
    if not allow_non_idempotent:
        assert_no_unsafe_retries(record)
    gaps = _expected_gaps(record, backoff, jitter, cap, respects_retry_after, timeout)
    if any(gap.verdict(tolerance) != "ok" for gap in gaps):
        model = "the Retry-After answers" if backoff is None else repr(backoff)
        modifiers = f", jitter={jitter:g}" if jitter else ""
        modifiers += f", cap={cap:g}" if cap is not None else ""
        modifiers += f" (client timeout {timeout:g} s)" if timeout is not None else ""
        raise AssertionError(
            f"the waits between attempts do not match {model}{modifiers}:\n"
            + _timing_table(gaps, tolerance)
            + f"\ntolerance: {tolerance.early:g} s early, {tolerance.late:g} s late\n"
            "requests seen:\n" + record.describe()
        )
