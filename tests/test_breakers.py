"""`assert_circuit_breaker` against real breakers (pybreaker, purgatory) and broken ones."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from pytest_readiness.resilience import (
    Connection,
    FaultProxy,
    FaultServer,
    ProxyRecord,
    Respond,
    Script,
    assert_circuit_breaker,
)

pybreaker = pytest.importorskip("pybreaker")
purgatory = pytest.importorskip("purgatory")

THRESHOLD = 3
RESET = 0.5
INTERVAL = 0.02
Guard = Callable[[Callable[[], Any]], Any]


def failing_then_healthy() -> Script:
    """THRESHOLD failures open the breaker, the first trial fails too, the second succeeds."""
    return Script(*[Respond(503)] * (THRESHOLD + 1), Respond(200))


def fetch(url: str) -> None:
    answer = requests.get(url, timeout=2)
    if answer.status_code >= 500:
        raise OSError(f"dependency answered {answer.status_code}")


def drive(guard: Guard, url: str, *, seconds: float, threads: int = 1) -> float:
    """Call through the breaker every INTERVAL from `threads` threads for `seconds`; returns
    when the client last called (`until=`): a starved machine may make the last call early."""
    end = time.monotonic() + seconds
    last = [0.0]

    def loop() -> None:
        while time.monotonic() < end:
            last[0] = max(last[0], time.monotonic())
            with contextlib.suppress(Exception):  # the breaker's refusals are the point
                guard(lambda: fetch(url))
            time.sleep(INTERVAL)

    workers = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 5)
    return last[0]


def check(server: FaultServer, until: float, **overrides: Any) -> None:
    options = {"failure_threshold": THRESHOLD, "reset_timeout": RESET, "until": until,
               "tolerance": 0.05}  # fmt: skip
    assert_circuit_breaker(server.record, **{**options, **overrides})


def test_pybreaker_behaves_as_configured(fault_server: FaultServer) -> None:
    breaker = pybreaker.CircuitBreaker(fail_max=THRESHOLD, reset_timeout=RESET)
    fault_server.reset(failing_then_healthy())
    until = drive(breaker.call, fault_server.url, seconds=3 * RESET)
    check(fault_server, until)
    assert fault_server.record.attempts > THRESHOLD + 3  # it closed and calls flowed again


def test_purgatory_behaves_as_configured(fault_server: FaultServer) -> None:
    factory = purgatory.SyncCircuitBreakerFactory(default_threshold=THRESHOLD, default_ttl=RESET)

    def guard(call: Callable[[], Any]) -> Any:
        with factory.get_breaker("dependency"):
            return call()

    fault_server.reset(failing_then_healthy())
    until = drive(guard, fault_server.url, seconds=3 * RESET)
    check(fault_server, until)


class NeverOpens:
    def __call__(self, call: Callable[[], Any]) -> Any:
        return call()


class NeverCloses:
    """Opens on the threshold and never lets a trial through."""

    def __init__(self) -> None:
        self.failures = 0

    def __call__(self, call: Callable[[], Any]) -> Any:
        if self.failures >= THRESHOLD:
            raise RuntimeError("open")
        try:
            return call()
        except Exception:
            self.failures += 1
            raise


class FloodsHalfOpen:
    """Opens correctly, but once the timeout passes lets every caller through at once."""

    def __init__(self) -> None:
        self.failures = 0
        self.opened_at: float | None = None
        self.lock = threading.Lock()

    def __call__(self, call: Callable[[], Any]) -> Any:
        with self.lock:
            if self.opened_at is not None and time.monotonic() - self.opened_at < RESET:
                raise RuntimeError("open")
        try:
            result = call()
        except Exception:
            with self.lock:
                self.failures += 1
                if self.failures >= THRESHOLD:
                    self.opened_at = time.monotonic()
            raise
        with self.lock:
            self.failures, self.opened_at = 0, None
        return result


def test_a_breaker_that_never_opens_is_caught(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(503)))
    until = drive(NeverOpens(), fault_server.url, seconds=RESET)
    with pytest.raises(AssertionError, match="did not stay open") as caught:
        check(fault_server, until)
    assert "calls the dependency saw:" in str(caught.value)
    assert "<- failure 3: the breaker must open" in str(caught.value)


def test_a_breaker_that_never_closes_is_caught(fault_server: FaultServer) -> None:
    fault_server.reset(failing_then_healthy())
    until = drive(NeverCloses(), fault_server.url, seconds=2 * RESET)
    with pytest.raises(AssertionError, match="never half-opens"):
        check(fault_server, until)


def test_a_breaker_that_floods_half_open_is_caught(fault_server: FaultServer) -> None:
    fault_server.reset(Script(*[Respond(503)] * THRESHOLD, Respond(200, delay=0.2)))
    breaker = FloodsHalfOpen()
    drive(breaker, fault_server.url, seconds=RESET / 2)  # one caller trips it
    until = drive(breaker, fault_server.url, seconds=1.5 * RESET, threads=4)  # four flood it
    with pytest.raises(AssertionError, match="floods a recovering dependency"):
        check(fault_server, until)


def test_it_reads_a_proxy_record_too(fault_proxy: Callable[..., FaultProxy]) -> None:
    with FaultServer(Script(Respond(200))) as upstream:
        proxy = fault_proxy(("127.0.0.1", upstream.port))
        host, port = proxy.address
        for _ in range(3):
            requests.get(f"http://{host}:{port}/", timeout=2, headers={"Connection": "close"})
        time.sleep(0.05)
    assert len(proxy.record.connections) == 3
    assert_circuit_breaker(proxy.record, failure_threshold=THRESHOLD, reset_timeout=RESET)


def record_of(*calls: tuple[float, bool]) -> ProxyRecord:
    """Calls at these times (10 ms long), failed or not, as a proxy would record them."""
    return ProxyRecord(
        tuple(
            Connection(n, at, at + 0.01, 1, 1, "proxy" if failed else "client", True, ())
            for n, (at, failed) in enumerate(calls, start=1)
        )
    )


def test_replay_accepts_the_textbook_sequence() -> None:
    calls = record_of(
        (0.0, True), (0.1, True), (0.2, True), (0.8, True), (1.4, False), (1.5, False)
    )
    assert_circuit_breaker(calls, failure_threshold=3, reset_timeout=0.5, until=1.6,
                           call_interval=0.15)  # fmt: skip


def test_replay_reports_an_early_opening() -> None:
    calls = record_of((0.0, True), (0.1, True), (1.0, False))
    with pytest.raises(AssertionError, match="after only 2 consecutive failure"):
        assert_circuit_breaker(calls, failure_threshold=3, reset_timeout=0.5, call_interval=0.15)


def test_replay_reports_calls_that_stop_after_a_good_trial() -> None:
    calls = record_of((0.0, True), (0.1, True), (0.2, True), (0.8, False))
    with pytest.raises(AssertionError, match="never closes"):
        assert_circuit_breaker(calls, failure_threshold=3, reset_timeout=0.5, until=2.0,
                               call_interval=0.15)  # fmt: skip


def test_successes_reset_the_failure_count() -> None:
    calls = record_of(*[(i / 10, i % 3 == 2) for i in range(30)])  # never 3 failures in a row
    assert_circuit_breaker(calls, failure_threshold=3, reset_timeout=0.5, call_interval=0.15)
