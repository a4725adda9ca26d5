"""Reading a request off a connection, and dating its arrival truthfully.

The date matters more than it seems: every gap an assertion measures starts or ends at an
arrival, and on a busy machine the thread that reads a request may run long after it arrived.
"""

from __future__ import annotations

import select
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass

POLL_SECONDS = 0.02
MAX_HEAD_BYTES = 64 * 1024
KERNEL_TIMESTAMPS = sys.platform == "linux"
_SO_TIMESTAMP = 29  # Linux's SO_TIMESTAMP (= SCM_TIMESTAMP), which the socket module omits
_TIMEVAL = struct.Struct("@ll")
_timestamping: list[socket.socket] = []


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    arrived_at: float
    """When its first byte reached this host, on the `time.monotonic()` clock."""


def stamp_arrivals(listener: socket.socket) -> None:
    """Have the kernel timestamp every received packet; accepted connections inherit it.

    On a busy machine the thread reading a request can run tens of milliseconds after the
    request arrived; dating the request by the kernel's timestamp keeps the gaps true. (The
    kernel dates a read by the last packet it returns; clients send a request in one burst.)
    Elsewhere than Linux, requests are dated when they are read.

    The kernel turns packet timestamps on for the whole system, lazily, while any socket asks
    for them; one socket kept open for the life of the process spares each new server the
    moment in which its first packets would go undated.
    """
    if KERNEL_TIMESTAMPS:
        listener.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMP, 1)
        if not _timestamping:
            keeper = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            keeper.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMP, 1)
            _timestamping.append(keeper)


def _receive(conn: socket.socket) -> tuple[bytes, float]:
    """A chunk of data and when its first byte arrived, on the monotonic clock."""
    if not KERNEL_TIMESTAMPS:
        return conn.recv(65536), time.monotonic()
    data, ancillary, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(_TIMEVAL.size))
    now, wall = time.monotonic(), time.time()
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMP and len(payload) >= _TIMEVAL.size:
            seconds, microseconds = _TIMEVAL.unpack_from(payload)
            return data, now - max(0.0, wall - (seconds + microseconds / 1e6))
    return data, now


def wait_readable(conn: socket.socket, release: threading.Event, seconds: float) -> bool:
    """True when the connection has data or EOF within `seconds`; False on timeout or release."""
    deadline = time.monotonic() + seconds
    while not release.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        readable, _, _ = select.select([conn], [], [], min(remaining, POLL_SECONDS))
        if readable:
            return True
    return False


def read_request(conn: socket.socket, release: threading.Event) -> Request | None:
    """The request's head and its `Content-Length` body; None if the client left or it is garbled.

    The whole body is read so that closing the connection afterwards sends FIN, not RST.
    """
    buffer = b""
    arrivals: list[float] = []
    while b"\r\n\r\n" not in buffer:
        if len(buffer) > MAX_HEAD_BYTES or not wait_readable(conn, release, float("inf")):
            return None
        chunk, received_at = _receive(conn)
        if not chunk:
            return None
        buffer += chunk
        arrivals.append(received_at)
    head, _, body = buffer.partition(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3:
        return None
    headers = tuple(
        (name.strip(), value.strip())
        for name, _, value in (line.partition(":") for line in header_lines)
    )
    length = next((value for name, value in headers if name.lower() == "content-length"), "0")
    if not length.isdigit():
        return None
    while len(body) < int(length):
        if not wait_readable(conn, release, float("inf")):
            return None
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return Request(parts[0], parts[1], headers, body, arrivals[0])
