"""A keep-alive HTTP/1.1 client connection on asyncio's transport API, one request at a time.

Written on `asyncio.Protocol` rather than a client library because the generator must send
above 10,000 requests per second from one core while keeping a schedule: a protocol callback
per answer, requests pre-encoded as bytes, and no task, future or header object per request
is what leaves time for that (`benchmarks/load_generator.py` compares it with aiohttp).
It reads exactly one answer per request: by Content-Length, chunked encoding, or until close.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

HEAD_END = b"\r\n\r\n"
MAX_HEAD_BYTES = 64 * 1024


class ProtocolViolation(Exception):
    """The answer is not HTTP/1.1 this client can read."""


class Connection(asyncio.Protocol):
    """One connection; `on_answer(connection, status, error)` fires once per request sent.

    `status` is the HTTP status, or 0 with `error` naming what went wrong (reset, timeout,
    a protocol violation). The engine keeps its own bookkeeping in `scheduled_at` and `kind`.
    """

    def __init__(self, on_answer: Callable[[Connection, int, str | None], None]) -> None:
        self._on_answer = on_answer
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._status = 0
        self._remaining = -1
        """Body bytes still expected; -1 while reading the head, -2 chunked, -3 until close."""
        self._chunk_trailer = False
        self._closes = False
        self.busy = False
        self.open = False
        self.expects_body = True
        self.sent_at = 0.0
        self.scheduled_at = 0.0
        self.kind = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self.open = True

    def send(self, data: bytes, *, expects_body: bool = True) -> None:
        if self._transport is None or not self.open or self.busy:
            raise RuntimeError("the connection cannot take a request now")
        self.busy = True
        self.expects_body = expects_body
        self._status = 0
        self._remaining = -1
        self.sent_at = time.monotonic()
        self._transport.write(data)

    def data_received(self, data: bytes) -> None:
        if not self.busy:
            self.close()  # an answer nobody asked for: the connection is out of step
            return
        self._buffer += data
        try:
            self._advance()
        except (ProtocolViolation, ValueError) as error:
            self._abandon(f"bad answer: {error}")

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        if not self.busy:
            return
        if self._remaining == -3:
            self._finish(self._status, None)
        else:
            reason = type(exc).__name__ if exc is not None else "closed by the service"
            self._finish(0, f"connection reset ({reason})")

    def time_out(self) -> None:
        """The engine's sweeper calls this when the answer is overdue."""
        if self.busy:
            self._abandon("timeout")

    def close(self) -> None:
        self.open = False
        if self._transport is not None:
            self._transport.close()

    def _advance(self) -> None:
        while self.busy:
            if self._remaining == -1:
                if not self._read_head():
                    return
                continue
            if self._remaining >= 0:
                if len(self._buffer) < self._remaining:
                    return
                del self._buffer[: self._remaining]
                self._complete()
            elif self._remaining == -2:
                if not self._read_chunk():
                    return
            else:
                self._buffer.clear()  # read until close: connection_lost completes it
                return

    def _read_head(self) -> bool:
        end = self._buffer.find(HEAD_END)
        if end < 0:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise ProtocolViolation("the answer's head is larger than 64 KiB")
            return False
        head = bytes(self._buffer[:end]).lower()
        del self._buffer[: end + 4]
        if not head.startswith(b"http/1."):
            raise ProtocolViolation(f"starts with {head[:20]!r}")
        status = int(head[9:12])
        if 100 <= status < 200:
            return True  # an interim answer (100 Continue): the real one follows
        self._status = status
        self._closes = b"\r\nconnection: close" in head or head.startswith(b"http/1.0")
        if not self.expects_body or status in (204, 304):
            self._remaining = 0
        elif b"\r\ntransfer-encoding: chunked" in head:
            self._remaining = -2
            self._chunk_trailer = False
        else:
            start = head.find(b"\r\ncontent-length:")
            if start >= 0:
                line_end = head.find(b"\r\n", start + 2)
                value = head[start + 17 : line_end if line_end >= 0 else len(head)]
                self._remaining = int(value.strip())
            else:
                self._remaining = -3
        return True

    def _read_chunk(self) -> bool:
        """Consume one chunk (or the trailer); False when more bytes are needed."""
        line_end = self._buffer.find(b"\r\n")
        if line_end < 0:
            return False
        if self._chunk_trailer:
            del self._buffer[: line_end + 2]
            if line_end == 0:
                self._complete()
            return True
        size = int(bytes(self._buffer[:line_end]).split(b";")[0], 16)
        if size == 0:
            del self._buffer[: line_end + 2]
            self._chunk_trailer = True
            return True
        if len(self._buffer) < line_end + 2 + size + 2:
            return False
        del self._buffer[: line_end + 2 + size + 2]
        return True

    def _complete(self) -> None:
        if not self._closes:
            self._finish(self._status, None)
            return
        self.open = False  # so that the engine does not send on it from its callback
        self._finish(self._status, None)
        self.close()

    def _abandon(self, error: str) -> None:
        self.open = False
        self._finish(0, error)
        self.close()

    def _finish(self, status: int, error: str | None) -> None:
        self.busy = False
        self._remaining = -1
        self._buffer.clear()
        self._on_answer(self, status, error)
