"""Reading requests off connections and dating their arrival."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from pytest_readiness.resilience.arrivals import KERNEL_TIMESTAMPS, read_request, stamp_arrivals


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    server_side, client_side = socket.socketpair()
    with server_side, client_side:
        yield server_side, client_side


def test_reads_head_and_content_length_body_sent_in_pieces(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server_side, client_side = pair

    def send() -> None:
        for piece in (
            b"POST /orders HTT",
            b"P/1.1\r\nContent-Length: 5\r\nX-A:  b \r\n\r\nhe",
            b"llo",
        ):
            client_side.sendall(piece)
            time.sleep(0.005)

    threading.Thread(target=send).start()
    request = read_request(server_side, threading.Event())

    assert request is not None
    assert (request.method, request.path, request.body) == ("POST", "/orders", b"hello")
    assert request.headers == (("Content-Length", "5"), ("X-A", "b"))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GET /\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: lots\r\n\r\n",
        b"GET / HTTP/1.1\r\n",
    ],
)
def test_garbled_or_abandoned_request_reads_as_none(
    pair: tuple[socket.socket, socket.socket], data: bytes
) -> None:
    server_side, client_side = pair
    client_side.sendall(data)
    client_side.shutdown(socket.SHUT_WR)

    assert read_request(server_side, threading.Event()) is None


def test_release_stops_waiting_for_a_request(pair: tuple[socket.socket, socket.socket]) -> None:
    release = threading.Event()
    threading.Timer(0.03, release.set).start()

    assert read_request(pair[0], release) is None


@pytest.mark.skipif(not KERNEL_TIMESTAMPS, reason="the kernel dates packets only on Linux")
def test_a_request_read_late_is_dated_when_it_arrived() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        stamp_arrivals(listener)
        time.sleep(0.05)  # the kernel switches timestamps on lazily, from a work queue
        with socket.create_connection(listener.getsockname()) as client_side:
            sent = time.monotonic()
            client_side.sendall(b"GET / HTTP/1.1\r\n\r\n")
            server_side, _ = listener.accept()
            with server_side:
                time.sleep(0.1)  # a reader thread that was slow to run
                request = read_request(server_side, threading.Event())

    assert request is not None
    assert sent - 0.001 <= request.arrived_at < sent + 0.05  # 1 ms: reading two clocks
