"""The trial: SIGTERM to a started service while requests are in flight, and what followed.

Traffic runs on `concurrency` threads. Once `in_flight` requests are open that the service has
accept()ed, its own process gets SIGTERM (as a container runtime signals PID 1) and no new
traffic request starts. Readiness is then polled and the exit awaited up to `max_wait_s`; a
service still running is killed (SIGTERM to its group, SIGKILL after 3 s) by the runner.

A request is owed an answer when it was in flight at SIGTERM and the service had accepted it:
the trial waits until the kernel's accept queue of the listener (read from /proc) is empty.
When it does not empty (more requests than the service takes at once), the queued ones are not
counted: a server that closes its listener on SIGTERM resets them, which only a drain before
SIGTERM (a preStop delay) avoids; the client cannot tell which ones they were, so that many
failures are set aside. Where /proc does not show the listener, every request in flight counts.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass

from pytest_readiness.check import CheckError
from pytest_readiness.checks.shutdown.traffic import (
    POLL_S,
    READINESS_TIMEOUT_S,
    Exchange,
    Recorder,
)
from pytest_readiness.runner import Service, accept_queue

IN_FLIGHT_POLL_S = 0.001
EMPTY_QUEUE_SHARE = 0.5
"""For this share of `in_flight_wait_s` SIGTERM waits for an empty accept queue (every open
request accepted); after it, queued connections are set aside instead."""


@dataclass(frozen=True)
class Trial:
    url: str
    port: int
    ready_url: str
    concurrency: int
    in_flight: int
    in_flight_wait_s: float
    max_wait_s: float


@dataclass
class Outcome:
    sigterm_at: float
    accepted_by: float
    """When the accept queue was last read: later connections are of unknown state."""
    queued_at_sigterm: int
    """Connections the service had not accepted yet (the newest ones: the queue is FIFO)."""
    traffic: list[Exchange]
    readiness: list[Exchange]
    exit_code: int | None
    exited_after_s: float | None
    """From SIGTERM to exit; None when the service was still running at the cap."""
    stopped_after_s: float
    """From SIGTERM to the end of the process, kill included."""

    @property
    def killed(self) -> bool:
        return self.exited_after_s is None

    def in_flight(self) -> list[Exchange]:
        """Requests connected before SIGTERM and still open at it, oldest first."""
        found = [
            exchange
            for exchange in self.traffic
            if exchange.accepted_before(self.sigterm_at)
            and (exchange.ended_at is None or exchange.ended_at >= self.sigterm_at)
        ]
        return sorted(found, key=lambda exchange: exchange.connected_at or 0.0)

    def known(self) -> list[Exchange]:
        """In flight and connected before the accept queue was read: accepted or queued."""
        return [e for e in self.in_flight() if e.accepted_before(self.accepted_by)]

    def owed(self) -> int:
        """How many requests in flight the service had accepted: it owed them an answer."""
        return max(0, len(self.known()) - self.queued_at_sigterm)

    def failed(self) -> list[Exchange]:
        return [exchange for exchange in self.known() if exchange.failed]

    def dropped(self) -> int:
        """Failures among the accepted: at most `queued` of the failures were still queued
        (which ones, the client cannot tell), so the rest were surely accepted."""
        return max(0, len(self.failed()) - self.queued_at_sigterm)

    def ready_after(self, moment: float) -> list[Exchange]:
        """Readiness polls started after `moment` that answered 2xx."""
        return [
            poll
            for poll in self.readiness
            if poll.started_at > moment and poll.status is not None and 200 <= poll.status < 300
        ]


def run_trial(service: Service, trial: Trial) -> Outcome:
    timeout_s = trial.max_wait_s + 1
    with Recorder(trial.url, trial.concurrency, timeout_s) as traffic:
        accepted_by, queued = _await_in_flight(service, traffic, trial)
        sigterm_at = time.monotonic()
        service.send_signal(signal.SIGTERM)
        traffic.stop_new()
        with Recorder(trial.ready_url, 1, READINESS_TIMEOUT_S, pause_s=POLL_S) as readiness:
            code = service.wait_exit(trial.max_wait_s)
            exited_after_s = None if code is None else time.monotonic() - sigterm_at
            readiness.stop_new()
            if code is None:
                code = service.stop()
            stopped_after_s = time.monotonic() - sigterm_at
    return Outcome(
        sigterm_at=sigterm_at,
        accepted_by=accepted_by,
        queued_at_sigterm=queued,
        traffic=traffic.snapshot(),
        readiness=readiness.snapshot(),
        exit_code=code,
        exited_after_s=exited_after_s,
        stopped_after_s=stopped_after_s,
    )


def _await_in_flight(service: Service, traffic: Recorder, trial: Trial) -> tuple[float, int]:
    """Wait until `in_flight` accepted requests are open, preferring a moment when the service
    had accepted every open one; returns when that was seen and how many were still queued."""
    started = time.monotonic()
    deadline = started + trial.in_flight_wait_s
    prefer_empty_queue_until = started + trial.in_flight_wait_s * EMPTY_QUEUE_SHARE
    while True:
        queued = accept_queue(trial.port) or 0
        seen_at = time.monotonic()
        open_now = [e for e in traffic.snapshot() if e.in_flight() and e.accepted_before(seen_at)]
        accepted = len(open_now) - queued
        settled = not queued or seen_at >= prefer_empty_queue_until
        if (accepted >= trial.in_flight and settled) or seen_at >= deadline:
            break
        time.sleep(IN_FLIGHT_POLL_S)
    service.ensure_running("before SIGTERM")
    failed = [exchange for exchange in traffic.snapshot() if exchange.ended_at and exchange.failed]
    if failed:
        raise CheckError(
            f"{trial.url} failed before any SIGTERM ({failed[0].describe()}): the traffic "
            "must succeed for drops at shutdown to mean anything"
        )
    if accepted < 1:
        raise CheckError(
            f"no request to {trial.url} was in flight after {trial.in_flight_wait_s:g} s "
            "(in_flight_wait_s): name a slower endpoint in `url` or raise `concurrency`"
        )
    return seen_at, queued
