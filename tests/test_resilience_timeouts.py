"""assert_times_out and assert_finishes with requests against hanging and dripping servers."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from pytest_readiness.resilience import (
    FaultServer,
    Hang,
    Respond,
    Script,
    SlowBody,
    Truncate,
    assert_finishes,
    assert_times_out,
)

TIMEOUT = 0.05
READ_TIMEOUT = 0.5  # far above the drip interval, so only a deadline for the whole body helps
DRIP = SlowBody(body=b"0123456789", chunks=10, interval=0.03)  # 0.3 s in all


def get_within(url: str, deadline: float) -> bytes:
    """requests with a deadline for the whole exchange, checked between body chunks."""
    start = time.monotonic()
    body = b""
    with requests.get(url, timeout=READ_TIMEOUT, stream=True) as response:
        for chunk in response.iter_content(chunk_size=1):
            body += chunk
            if time.monotonic() - start > deadline:
                raise TimeoutError(f"no complete answer within {deadline} s")
    return body


def test_client_with_timeout_times_out_on_hang(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Hang()))

    error = assert_times_out(
        lambda: requests.get(fault_server.url, timeout=TIMEOUT),
        within=0.5,
        raises=requests.Timeout,
    )

    assert "Read timed out" in str(error)


def test_client_without_timeout_fails_and_does_not_hang_the_run(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Hang()))
    stuck = threading.Event()
    start = time.monotonic()

    def call() -> requests.Response:
        try:
            return requests.get(fault_server.url)  # the bug under test: no timeout
        finally:
            stuck.set()

    with pytest.raises(AssertionError, match=r"still running after 0\.2 s") as failure:
        assert_times_out(call, within=0.2)

    assert time.monotonic() - start < 0.5
    assert "no deadline" in str(failure.value)
    fault_server.reset()  # releases the hang: the abandoned call ends instead of lingering
    assert stuck.wait(1.0)


def test_per_read_timeout_does_not_bound_a_slow_body(fault_server: FaultServer) -> None:
    fault_server.reset(Script(DRIP))

    with pytest.raises(AssertionError, match="per-read timeout does not bound"):
        assert_times_out(lambda: requests.get(fault_server.url, timeout=READ_TIMEOUT), within=0.15)


def test_deadline_for_the_whole_exchange_bounds_a_slow_body(fault_server: FaultServer) -> None:
    fault_server.reset(Script(DRIP))

    assert_times_out(lambda: get_within(fault_server.url, 0.1), within=0.25, raises=TimeoutError)

    assert fault_server.record.exchanges[0].answered is False


def test_delay_before_headers_times_out(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(delay=0.5)))

    assert_times_out(
        lambda: requests.get(fault_server.url, timeout=TIMEOUT), within=0.3, raises=requests.Timeout
    )


def test_wrong_exception_fails_with_its_name(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Truncate()))

    with pytest.raises(
        AssertionError, match=r"raised ChunkedEncodingError.*not the expected Timeout"
    ):
        assert_times_out(
            lambda: requests.get(fault_server.url, timeout=READ_TIMEOUT),
            within=0.5,
            raises=requests.Timeout,
        )


def test_call_that_answers_does_not_time_out(fault_server: FaultServer) -> None:
    with pytest.raises(AssertionError, match=r"returned <Response \[200\]> after 0\.0"):
        assert_times_out(lambda: requests.get(fault_server.url, timeout=READ_TIMEOUT), within=1)


def test_finishes_hands_back_value_or_error(fault_server: FaultServer) -> None:
    finished = assert_finishes(lambda: requests.get(fault_server.url, timeout=1).text, within=1)
    failed = assert_finishes(lambda: 1 // 0, within=1)

    assert (finished.value, finished.error) == ("ok", None)
    assert isinstance(failed.error, ZeroDivisionError)
    assert 0 <= failed.elapsed < 1
