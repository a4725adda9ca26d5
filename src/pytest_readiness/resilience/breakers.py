"""`assert_circuit_breaker`: did the client's breaker open, wait, trial and close as configured?

The dependency's side is the only honest witness of a breaker: after `failure_threshold`
consecutive failures no call may reach it for `reset_timeout`; then at most `half_open_max`
trial calls; a successful trial closes the breaker (calls flow again), a failed one opens it for
another `reset_timeout`. The calls are read from a `FaultServer` record (one call per request)
or a `FaultProxy` record (one call per connection: use a client that connects per call).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pytest_readiness.resilience.faults import Respond
from pytest_readiness.resilience.proxy_record import ProxyRecord
from pytest_readiness.resilience.record import Record

TOLERANCE = 0.05
"""Seconds of scheduling noise allowed on every time comparison."""


@dataclass(frozen=True)
class Call:
    """One call as the dependency saw it."""

    started: float
    ended: float
    failed: bool


def calls_of(record: Record | ProxyRecord) -> list[Call]:
    """The calls of either record, in order of arrival."""
    if isinstance(record, ProxyRecord):
        return [
            Call(c.opened_at, c.closed_at if c.closed_at is not None else c.opened_at, c.failed)
            for c in record.connections
        ]
    return [
        Call(
            e.arrived_at,
            e.ended_at if e.ended_at is not None else e.arrived_at,
            not (isinstance(e.fault, Respond) and e.fault.status < 500 and e.answered),
        )
        for e in record.exchanges
    ]


def assert_circuit_breaker(
    record: Record | ProxyRecord,
    *,
    failure_threshold: int,
    reset_timeout: float,
    half_open_max: int = 1,
    until: float | None = None,
    call_interval: float | None = None,
    tolerance: float = TOLERANCE,
) -> None:
    """Raise AssertionError, with the timeline, when the calls break the breaker's contract.

    `until` (a `time.monotonic()` value) says the client kept calling until then: an open
    breaker must have let a trial through by then. `call_interval` is the longest pause of the
    client between calls: a longer silence while the breaker should be closed means it opened
    early, and after a successful trial calls must resume within it.
    """
    calls = sorted(calls_of(record), key=lambda call: call.started)
    problems: list[str] = []
    notes: list[str] = [""] * len(calls)
    state, consecutive, opened_at = "closed", 0, 0.0
    index = 0
    while index < len(calls):
        call = calls[index]
        if state == "open":
            if call.started < opened_at + reset_timeout - tolerance:
                problems.append(
                    f"call #{index + 1} reached the dependency "
                    f"{call.started - opened_at:.3f} s after the breaker should have opened "
                    f"(reset_timeout {reset_timeout:g} s): the breaker did not stay open"
                )
                notes[index] = "while it should be open"
                index += 1
                continue
            # Trials overlap: a call that starts once the first trial is over saw its outcome.
            trials = [index] + [
                i for i in range(index + 1, len(calls)) if calls[i].started < call.ended
            ]
            if len(trials) > half_open_max:
                problems.append(
                    f"{len(trials)} calls reached the dependency while half-open "
                    f"(half_open_max {half_open_max}): the breaker floods a recovering dependency"
                )
            for i in trials:
                notes[i] = "half-open trial"
            last = calls[trials[-1]]
            if any(calls[i].failed for i in trials):
                state, opened_at = "open", last.ended
                notes[trials[-1]] += ", failed: open again"
            else:
                state, consecutive = "closed", 0
                notes[trials[-1]] += ", succeeded: closed"
                _resumes(calls, trials[-1], call_interval, until, tolerance, problems)
            index = trials[-1] + 1
            continue
        if call_interval is not None and index and consecutive:
            silence = call.started - calls[index - 1].started
            if silence > call_interval + tolerance:
                problems.append(
                    f"no call for {silence:.3f} s after only {consecutive} consecutive "
                    f"failure(s) (failure_threshold {failure_threshold}): the breaker opened early"
                )
        consecutive = consecutive + 1 if call.failed else 0
        if consecutive >= failure_threshold:
            state, opened_at, consecutive = "open", call.ended, 0
            notes[index] = f"failure {failure_threshold}: the breaker must open"
        index += 1
    if state == "open" and until is not None and until > opened_at + reset_timeout + tolerance:
        waited = until - opened_at
        if call_interval is None or waited > reset_timeout + call_interval + tolerance:
            problems.append(
                f"no trial call in the {waited:.3f} s after the breaker opened "
                f"(reset_timeout {reset_timeout:g} s): the breaker never half-opens"
            )
    if problems:
        raise AssertionError(
            "the circuit breaker did not behave as configured:\n  - "
            + "\n  - ".join(problems)
            + "\ncalls the dependency saw:\n"
            + _timeline(calls, notes)
        )


def _resumes(
    calls: Sequence[Call],
    last_trial: int,
    call_interval: float | None,
    until: float | None,
    tolerance: float,
    problems: list[str],
) -> None:
    """After a successful trial the breaker is closed: the client's calls must come through."""
    if call_interval is None:
        return
    closed_at = calls[last_trial].ended
    following = calls[last_trial + 1].started if last_trial + 1 < len(calls) else until
    if following is not None and following - closed_at > call_interval + tolerance:
        problems.append(
            f"no call for {following - closed_at:.3f} s after a successful trial: "
            "the breaker never closes"
        )


def _timeline(calls: Sequence[Call], notes: Sequence[str]) -> str:
    if not calls:
        return "  (no calls)"
    start = calls[0].started
    return "\n".join(
        f"  #{number} +{call.started - start:.3f} s {'failed' if call.failed else 'ok'}"
        + (f"  <- {note}" if note else "")
        for number, (call, note) in enumerate(zip(calls, notes, strict=True), start=1)
    )
