"""FaultServer: every fault kind as a real client sees it, the record, threading, reset, close."""

from __future__ import annotations

import email.utils
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from pytest_readiness.resilience import (
    Close,
    FaultServer,
    Hang,
    Reset,
    Respond,
    RetryAfter,
    Script,
    SlowBody,
    Truncate,
)
from pytest_readiness.resilience.arrivals import KERNEL_TIMESTAMPS

TIMEOUT = 0.05


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


def test_respond_sends_status_body_and_headers(server: FaultServer) -> None:
    server.reset(Script(Respond(418, b"short and stout", headers={"X-Pot": "tea"})))

    response = requests.get(server.url + "/brew", timeout=1)

    assert response.status_code == 418
    assert response.reason == "I'm a Teapot"
    assert response.content == b"short and stout"
    assert response.headers["X-Pot"] == "tea"


def test_retry_after_in_seconds_and_as_http_date(server: FaultServer) -> None:
    server.reset(
        Script(Respond(503, retry_after=RetryAfter(2)), Respond(429, retry_after=RetryAfter(0.25)))
    )
    server_date = Respond(503, retry_after=RetryAfter(30, http_date=True))

    seconds = requests.get(server.url, timeout=1).headers["Retry-After"]
    fraction = requests.get(server.url, timeout=1).headers["Retry-After"]
    server.reset(Script(server_date))
    sent = time.time()
    date = requests.get(server.url, timeout=1).headers["Retry-After"]

    assert (seconds, fraction) == ("2", "0.25")
    asked = email.utils.parsedate_to_datetime(date).timestamp() - sent
    assert 29 < asked <= 31
    assert 30 <= server.record.exchanges[0].retry_after <= 31  # type: ignore[operator]


def test_delay_before_headers(server: FaultServer) -> None:
    server.reset(Script(Respond(delay=0.06)))
    start = time.monotonic()

    assert requests.get(server.url, timeout=1).text == "ok"

    assert time.monotonic() - start >= 0.06
    exchange = server.record.exchanges[0]
    assert exchange.ended_at is not None
    assert exchange.ended_at - exchange.arrived_at >= 0.06


def test_slow_body_beats_a_per_read_timeout(server: FaultServer) -> None:
    drip = SlowBody(body=b"abcdef", chunks=6, interval=0.02)
    server.reset(Script(drip))
    start = time.monotonic()

    response = requests.get(server.url, timeout=0.5)  # per read, far above the interval

    assert response.content == b"abcdef"
    assert time.monotonic() - start >= drip.duration


def test_close_without_answer(server: FaultServer) -> None:
    server.reset(Script(Close()))

    with pytest.raises(requests.ConnectionError, match="Remote end closed connection"):
        requests.get(server.url, timeout=1)


def test_reset_sends_rst(server: FaultServer) -> None:
    server.reset(Script(Reset()))

    with pytest.raises(requests.ConnectionError, match="Connection reset by peer"):
        requests.get(server.url, timeout=1)


def test_hang_never_answers(server: FaultServer) -> None:
    server.reset(Script(Hang()))

    with pytest.raises(requests.ReadTimeout):
        requests.get(server.url, timeout=TIMEOUT)

    exchange = server.record.exchanges[0]
    assert exchange.answered is False
    assert exchange.ended_at is not None  # the server saw the client give up


def test_truncated_body(server: FaultServer) -> None:
    server.reset(Script(Truncate(body=b"0123456789", sent=3)))

    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="3 bytes read, 7 more"):
        requests.get(server.url, timeout=1)


def test_records_method_path_headers_and_body(server: FaultServer) -> None:
    requests.get(server.url + "/a?x=1", headers={"X-Trace": "t1"}, timeout=1)
    requests.post(server.url + "/orders", data=b"payload", timeout=1)

    first, second = server.record.exchanges

    assert (first.method, first.path, first.header("x-trace")) == ("GET", "/a?x=1", "t1")
    assert (second.method, second.path, second.body) == ("POST", "/orders", b"payload")
    assert second.header("Content-Length") == "7"
    assert first.arrived_at < second.arrived_at
    assert first.answered


@pytest.mark.parametrize(
    ("then", "statuses"), [("repeat", [500, 502, 502, 502]), ("cycle", [500, 502, 500, 502])]
)
def test_script_order_reaches_the_wire(server: FaultServer, then: str, statuses: list[int]) -> None:
    server.reset(Script(Respond(500), Respond(502), then=then))  # type: ignore[arg-type]

    seen = [requests.get(server.url, timeout=1).status_code for _ in statuses]

    assert seen == statuses


def test_connections_are_served_concurrently(server: FaultServer) -> None:
    server.reset(Script(Respond(delay=0.2)))
    start = time.monotonic()
    threads = [
        threading.Thread(target=requests.get, args=(server.url,), kwargs={"timeout": 1})
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert time.monotonic() - start < 0.6  # 0.8 s if the server served them one by one
    arrivals = [exchange.arrived_at for exchange in server.record.exchanges]
    assert max(arrivals) - min(arrivals) < 0.15


def test_reset_releases_a_hang_and_forgets_the_record(server: FaultServer) -> None:
    server.reset(Script(Hang()))
    errors: list[Exception] = []

    def call() -> None:
        try:
            requests.get(server.url, timeout=5)
        except requests.RequestException as error:
            errors.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    while not server.record.exchanges:
        time.sleep(0.005)
    server.reset()
    caller.join(1.0)

    assert not caller.is_alive()
    assert errors  # the connection was closed under it, long before its 5 s timeout
    assert server.record.attempts == 0
    assert requests.get(server.url, timeout=1).text == "ok"


def test_garbled_request_is_not_recorded(server: FaultServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=1) as raw:
        raw.sendall(b"NONSENSE\r\n\r\n")
        assert raw.recv(100) == b""

    assert server.record.attempts == 0


def test_close_never_hangs() -> None:
    server = FaultServer(Script(Hang()))
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=1)
    hanging = socket.create_connection(("127.0.0.1", server.port), timeout=1)
    hanging.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    while not server.record.exchanges:
        time.sleep(0.005)
    start = time.monotonic()

    server.close()

    assert time.monotonic() - start < 0.5
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url, timeout=1)
    idle.close()
    hanging.close()


@pytest.mark.skipif(not KERNEL_TIMESTAMPS, reason="elsewhere requests are dated when read")
def test_a_request_sent_before_a_reset_never_counts_after_it(server: FaultServer) -> None:
    """Read before the reset, it belongs to the old record; read after, it is dropped."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=1) as stale:
        stale.sendall(b"GET /from-the-last-example HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.005)  # more than CLOCK_SLACK; often less than the reader takes to run
        server.reset()

        assert requests.get(server.url + "/now", timeout=1).status_code == 200

    assert [exchange.path for exchange in server.record.exchanges] == ["/now"]
