"""Enacting one fault on a connection whose request has been read.

Every wait here watches two things besides the clock: the client going away (so the record says
when it gave up) and the server's release event (so a reset or shutdown never waits on a fault).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus

from pytest_readiness.resilience.arrivals import wait_readable
from pytest_readiness.resilience.faults import (
    Close,
    Fault,
    Hang,
    Reset,
    Respond,
    SlowBody,
    Truncate,
)


@dataclass(frozen=True)
class Played:
    """When the server last did something the client could react to, and any wait it asked for."""

    ended_at: float
    retry_after: float | None = None
    answered: bool = True


def _client_gone(conn: socket.socket) -> bool:
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def pause(conn: socket.socket, release: threading.Event, seconds: float) -> bool:
    """Wait `seconds`; False as soon as the client leaves or the server releases its faults."""
    deadline = time.monotonic() + seconds
    while not release.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return True
        if wait_readable(conn, release, remaining):
            if _client_gone(conn):
                return False
            # The client sent more than one request's worth; only the clock and release matter now.
            remaining = deadline - time.monotonic()
            return not release.wait(None if remaining == float("inf") else max(0.0, remaining))
    return False


def _head(status: int, length: int, headers: list[tuple[str, str]]) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [
        f"HTTP/1.1 {status} {reason}",
        f"Content-Length: {length}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _send(conn: socket.socket, data: bytes) -> bool:
    try:
        conn.sendall(data)
    except OSError:
        return False
    return True


def _respond(conn: socket.socket, release: threading.Event, fault: Respond) -> Played:
    if fault.delay and not pause(conn, release, fault.delay):
        return Played(time.monotonic(), answered=False)
    headers = list(fault.headers.items())
    wait = None
    if fault.retry_after is not None:
        value, wait = fault.retry_after.render(time.time())
        headers.append(("Retry-After", value))
    ended_at = time.monotonic()
    _send(conn, _head(fault.status, len(fault.body), headers) + fault.body)
    return Played(ended_at, wait)


def _slow_body(conn: socket.socket, release: threading.Event, fault: SlowBody) -> Played:
    if not _send(conn, _head(fault.status, len(fault.body), [])):
        return Played(time.monotonic())
    ended_at = time.monotonic()
    for piece in fault.pieces():
        if not pause(conn, release, fault.interval):
            return Played(time.monotonic(), answered=False)
        ended_at = time.monotonic()
        if not _send(conn, piece):
            break
    return Played(ended_at)


def _truncate(conn: socket.socket, fault: Truncate) -> Played:
    ended_at = time.monotonic()
    _send(conn, _head(fault.status, len(fault.body), []) + fault.body[: fault.sent])
    return Played(ended_at)


def _reset(conn: socket.socket) -> Played:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return Played(time.monotonic())


def play(fault: Fault, conn: socket.socket, release: threading.Event) -> Played:
    """Enact `fault` on a connection whose request has been read; the caller closes it."""
    match fault:
        case Respond():
            return _respond(conn, release, fault)
        case SlowBody():
            return _slow_body(conn, release, fault)
        case Truncate():
            return _truncate(conn, fault)
        case Reset():
            return _reset(conn)
        case Close():
            return Played(time.monotonic())
        case Hang():
            pause(conn, release, float("inf"))
            return Played(time.monotonic(), answered=False)
