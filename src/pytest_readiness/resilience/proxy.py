"""A TCP proxy on 127.0.0.1 that puts toxiproxy's faults between the code and any dependency.

Redis, PostgreSQL or an HTTP API: the proxy forwards bytes and knows no protocol, so it can stand
in front of anything. Each connection has a thread per direction that reads the active toxics at
every chunk (and every poll while idle), so `set()` and `clear()` act on connections already
open. Closing the proxy releases every delay and hold at once, so it never hangs a test.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_readiness.closing import Closing
from pytest_readiness.resilience.proxy_record import Closer, Connection, ProxyRecord
from pytest_readiness.resilience.toxics import (
    Bandwidth,
    BlackHole,
    Down,
    Latency,
    LimitData,
    ResetPeer,
    Slicer,
    SlowClose,
    Toxic,
)

CHUNK = 65536
POLL_SECONDS = 0.02
CONNECT_TIMEOUT = 2.0
CLOSE_SECONDS = 2.0
"""The most closing the proxy waits for its connection threads (daemons past that)."""


class Released(Exception):
    """The proxy is closing, or the connection ended, while a fault held data back."""


@dataclass
class _Link:
    """One proxied connection: both sockets, counters and which toxics hit it."""

    number: int
    client: socket.socket
    opened_at: float = field(default_factory=time.monotonic)
    upstream: socket.socket | None = None
    closed_at: float | None = None
    closed_by: Closer = ""
    sent: dict[str, int] = field(default_factory=lambda: {"upstream": 0, "downstream": 0})
    faults: set[str] = field(default_factory=set)
    rolls: dict[int, bool] = field(default_factory=dict)
    ended: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def affected(self, toxic: Toxic) -> bool:
        """The per-connection toxicity draw, made once per toxic."""
        key = id(toxic)
        if key not in self.rolls:
            self.rolls[key] = random.random() < toxic.toxicity
        return self.rolls[key]

    def snapshot(self) -> Connection:
        return Connection(
            number=self.number,
            opened_at=self.opened_at,
            closed_at=self.closed_at,
            bytes_upstream=self.sent["upstream"],
            bytes_downstream=self.sent["downstream"],
            closed_by=self.closed_by,
            reached_upstream=self.upstream is not None,
            faults=tuple(sorted(self.faults)),
        )


class FaultProxy(Closing):
    """Forwards 127.0.0.1:`port` to `upstream` until closed, with the toxics of `set()`."""

    def __init__(self, upstream: tuple[str, int], *, port: int = 0) -> None:
        self.upstream = upstream
        self._toxics: tuple[Toxic, ...] = ()
        self._set_at = time.monotonic()
        self._links: list[_Link] = []
        self._numbers = itertools.count(1)
        self._state = threading.Lock()
        self._closing = threading.Event()
        self._threads: set[threading.Thread] = set()
        self._listener: socket.socket | None = None
        self.port = port
        self._listen()

    # -- the public surface ------------------------------------------------------------------

    @property
    def address(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    @property
    def toxics(self) -> tuple[Toxic, ...]:
        return self._toxics

    def set(self, *toxics: Toxic) -> None:
        """Replace the active faults; open connections feel the change at their next chunk."""
        for toxic in toxics:
            if not isinstance(toxic, Toxic):
                raise TypeError(f"{toxic!r} is not a toxic (Latency, BlackHole, Down, ...)")
        with self._state:
            self._toxics = tuple(toxics)
            self._set_at = time.monotonic()
            for link in self._links:
                link.rolls.clear()  # new toxics, new draws
        if any(isinstance(toxic, Down) for toxic in toxics):
            self._go_down()
        elif self._listener is None:
            self._listen()

    def clear(self) -> None:
        """No faults: the proxy forwards again (and listens again after `Down`)."""
        self.set()

    @property
    def record(self) -> ProxyRecord:
        with self._state:
            return ProxyRecord(tuple(link.snapshot() for link in self._links))

    def close(self) -> None:
        """Stop listening, end every connection, release every held chunk; bounded."""
        self._closing.set()
        self._close_listener()
        with self._state:
            links = list(self._links)
        for link in links:
            self._end(link, "proxy", reset=False)
        deadline = time.monotonic() + CLOSE_SECONDS
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))

    # -- listening ---------------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", self.port))
        except OSError:
            listener.close()
            raise
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._start(self._accept, listener, name="fault-proxy-accept")

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _go_down(self) -> None:
        self._close_listener()
        with self._state:
            links = [link for link in self._links if link.closed_at is None]
        for link in links:
            link.faults.add("Down")
            self._end(link, "proxy", reset=False)

    def _accept(self, listener: socket.socket) -> None:
        while not self._closing.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed: Down or close()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._state:
                link = _Link(next(self._numbers), client)
                self._links.append(link)
            self._start(self._serve, link, name=f"fault-proxy-{link.number}")

    def _start(self, target: Callable[[Any], None], argument: object, *, name: str) -> None:
        thread = threading.Thread(target=self._run, args=(target, argument), name=name, daemon=True)
        thread.start()
        self._threads.add(thread)

    def _run(self, target: Callable[[Any], None], argument: object) -> None:
        try:
            target(argument)
        finally:
            self._threads.discard(threading.current_thread())  # a no-op if not added yet

    # -- one connection ----------------------------------------------------------------------

    def _serve(self, link: _Link) -> None:
        try:
            upstream = socket.create_connection(self.upstream, timeout=CONNECT_TIMEOUT)
        except OSError:
            self._end(link, "upstream", reset=True)
            return
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        link.upstream = upstream
        if link.ended.is_set():  # the proxy went down while we connected
            self._end(link, "proxy", reset=False)
            return
        self._start(self._pump, (link, "downstream"), name=f"fault-proxy-{link.number}-down")
        self._pump((link, "upstream"))

    def _pump(self, job: tuple[_Link, str]) -> None:
        link, direction = job
        assert link.upstream is not None
        source, sink = (
            (link.client, link.upstream)
            if direction == "upstream"
            else (link.upstream, link.client)
        )
        flowing_since: float | None = None
        try:
            while not link.ended.is_set():
                self._check_reset(link, direction, flowing_since)
                source.settimeout(POLL_SECONDS)
                try:
                    data = source.recv(CHUNK)
                except TimeoutError:
                    continue
                if not data:
                    self._hold(link, direction, SlowClose)
                    closer: Closer = "client" if direction == "upstream" else "upstream"
                    self._end(link, closer, reset=False)
                    return
                flowing_since = flowing_since or time.monotonic()
                self._forward(link, direction, data, sink)
        except Released:
            return
        except OSError:
            self._end(link, "client" if direction == "upstream" else "upstream", reset=False)

    def _active(self, link: _Link, direction: str) -> list[Toxic]:
        return [t for t in self._toxics if t.acts_on(direction) and link.affected(t)]

    def _check_reset(self, link: _Link, direction: str, flowing_since: float | None) -> None:
        for toxic in self._active(link, direction):
            if isinstance(toxic, ResetPeer):
                start = max(self._set_at, flowing_since or self._set_at)
                if time.monotonic() - start >= toxic.after:
                    link.faults.add("ResetPeer")
                    self._end(link, "proxy", reset=True)
                    raise Released

    def _forward(self, link: _Link, direction: str, data: bytes, sink: socket.socket) -> None:
        toxics = self._active(link, direction)
        if any(isinstance(toxic, BlackHole) for toxic in toxics):
            link.faults.add("BlackHole")
            return
        for toxic in toxics:
            if isinstance(toxic, Latency):
                link.faults.add("Latency")
                self._wait(link, toxic.delay + random.uniform(-toxic.jitter, toxic.jitter))
        limit = next((t for t in toxics if isinstance(t, LimitData)), None)
        if limit is not None:
            room = limit.bytes - link.sent[direction]
            if room <= len(data):
                self._send(link, direction, data[: max(room, 0)], sink, toxics)
                link.faults.add("LimitData")
                self._end(link, "proxy", reset=False)
                raise Released
        self._send(link, direction, data, sink, toxics)

    def _send(
        self, link: _Link, direction: str, data: bytes, sink: socket.socket, toxics: list[Toxic]
    ) -> None:
        slicer = next((t for t in toxics if isinstance(t, Slicer)), None)
        bandwidth = next((t for t in toxics if isinstance(t, Bandwidth)), None)
        pieces = _slices(data, slicer) if slicer is not None else [data]
        for index, piece in enumerate(pieces):
            if slicer is not None and index:
                link.faults.add("Slicer")
                self._wait(link, slicer.delay)
            if bandwidth is not None:
                link.faults.add("Bandwidth")
                self._wait(link, len(piece) / bandwidth.bytes_per_second)
            sink.sendall(piece)
            link.sent[direction] += len(piece)

    def _hold(self, link: _Link, direction: str, kind: type[SlowClose]) -> None:
        for toxic in self._active(link, direction):
            if isinstance(toxic, kind):
                link.faults.add("SlowClose")
                self._wait(link, toxic.delay)

    def _wait(self, link: _Link, seconds: float) -> None:
        if seconds > 0 and (link.ended.wait(seconds) or self._closing.is_set()):
            raise Released

    def _end(self, link: _Link, closer: Closer, *, reset: bool) -> None:
        """Close both sockets once; a reset sends RST (SO_LINGER 0) instead of FIN."""
        with link.lock:
            if link.ended.is_set():
                return
            link.ended.set()
            link.closed_at = time.monotonic()
            link.closed_by = closer
        for sock in (link.client, link.upstream):
            if sock is None:
                continue
            if reset:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def _slices(data: bytes, slicer: Slicer) -> list[bytes]:
    pieces = []
    position = 0
    while position < len(data):
        size = slicer.average_size + random.randint(-slicer.variation, slicer.variation)
        pieces.append(data[position : position + max(1, size)])
        position += max(1, size)
    return pieces
