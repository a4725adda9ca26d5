"""Waiting on a connection and enacting faults: what a client cannot see directly."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from pytest_readiness.resilience.faults import Respond, RetryAfter
from pytest_readiness.resilience.playback import pause, play


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    server_side, client_side = socket.socketpair()
    with server_side, client_side:
        yield server_side, client_side


def test_pause_lasts_its_time_when_nothing_happens(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    start = time.monotonic()

    assert pause(pair[0], threading.Event(), 0.05) is True
    assert time.monotonic() - start >= 0.05


def test_pause_ends_early_when_the_client_leaves(pair: tuple[socket.socket, socket.socket]) -> None:
    server_side, client_side = pair
    threading.Timer(0.03, client_side.shutdown, args=(socket.SHUT_WR,)).start()
    start = time.monotonic()

    assert pause(server_side, threading.Event(), 5.0) is False
    assert time.monotonic() - start < 1.0


def test_pause_ends_early_on_release(pair: tuple[socket.socket, socket.socket]) -> None:
    release = threading.Event()
    threading.Timer(0.03, release.set).start()

    assert pause(pair[0], release, float("inf")) is False


def test_pause_ignores_extra_data_from_a_client_that_stays(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server_side, client_side = pair
    client_side.sendall(b"pipelined")

    assert pause(server_side, threading.Event(), 0.03) is True


def test_respond_reports_the_wait_its_retry_after_asked_for(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server_side, client_side = pair

    played = play(Respond(503, b"", retry_after=RetryAfter(0.5)), server_side, threading.Event())

    assert (played.retry_after, played.answered) == (0.5, True)
    head = client_side.recv(4096)
    assert head.startswith(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n")
    assert b"\r\nRetry-After: 0.5\r\n" in head


def test_unknown_status_still_gets_a_status_line(pair: tuple[socket.socket, socket.socket]) -> None:
    play(Respond(599, b"?"), pair[0], threading.Event())

    assert pair[1].recv(4096).startswith(b"HTTP/1.1 599 Unknown\r\n")
