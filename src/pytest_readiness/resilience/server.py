"""A real HTTP server on 127.0.0.1 that misbehaves on cue and remembers every request.

Each connection gets its own thread, so a client's retries arrive when the client sends them and
the recorded gaps are the client's, not a queue's. A reset or shutdown releases every fault still
in progress (hangs, delays, slow bodies), which is what keeps closing the server from ever hanging.
"""

from __future__ import annotations

import contextlib
import dataclasses
import select
import socket
import threading
import time
from dataclasses import dataclass, field

from pytest_readiness.closing import Closing
from pytest_readiness.resilience.arrivals import POLL_SECONDS, read_request, stamp_arrivals
from pytest_readiness.resilience.faults import Respond, Script
from pytest_readiness.resilience.playback import play
from pytest_readiness.resilience.record import Exchange, Record

SETTLE_SECONDS = 0.25
"""How long reading the record waits for exchanges still in progress to end."""

SHUTDOWN_SECONDS = 2.0
"""The most closing the server waits for connection threads, which are daemons past that."""

CONNECTION_TIMEOUT = 2.0
"""Bounds a send to a client that stopped reading."""

CLOCK_SLACK = 0.001
"""Error allowed in comparing kernel arrival times with the monotonic clock."""


class FaultServerError(Exception):
    """A scripted fault raised while being played (a bad value in the script, a bug)."""


@dataclass
class _Generation:
    """The time between two resets: its script, what it saw, and the event that releases it."""

    script: Script
    started_at: float = field(default_factory=time.monotonic)
    exchanges: list[Exchange] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


class FaultServer(Closing):
    """Serves `script` on an ephemeral port of 127.0.0.1 from the moment it is built."""

    def __init__(self, script: Script | None = None) -> None:
        self._changed = threading.Condition()
        self._generation = _Generation(script or Script(Respond()))
        self._stopping = threading.Event()
        self._errors: list[str] = []
        self._connections: set[threading.Thread] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        stamp_arrivals(self._listener)
        self.port: int = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(
            target=self._accept_forever, name="fault-server-accept", daemon=True
        )
        self._acceptor.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self, script: Script | None = None) -> None:
        """Start over: release faults in progress, forget the record, serve `script` (default 200).

        Call it at the start of each hypothesis example when the server outlives the example.
        A request that arrived before the reset, from a client the last example left behind, is
        not recorded even if a busy machine gets round to reading it only now.
        """
        with self._changed:
            self._generation.release.set()
            self._generation = _Generation(script or Script(Respond()))
            self._changed.notify_all()

    @property
    def record(self) -> Record:
        """The exchanges so far in order of arrival, after giving those in progress a moment.

        Raises `FaultServerError` when a fault could not be played: the test would otherwise
        pass against a fault it never saw.
        """
        with self._changed:
            exchanges = self._generation.exchanges
            self._changed.wait_for(
                lambda: (
                    bool(self._errors)
                    or all(exchange.ended_at is not None for exchange in exchanges)
                ),
                timeout=SETTLE_SECONDS,
            )
        self._raise_errors()
        with self._changed:
            return Record(tuple(sorted(exchanges, key=lambda exchange: exchange.arrived_at)))

    def _raise_errors(self) -> None:
        with self._changed:
            errors, self._errors = self._errors, []
        if errors:
            raise FaultServerError(
                "the fault server could not play its script:\n  " + "\n  ".join(errors)
            )

    def close(self) -> None:
        """Stop accepting, release every fault in progress and wait (boundedly) for the threads.

        Raises `FaultServerError` for a fault that could not be played and was not yet reported.
        """
        self._stopping.set()
        with self._changed:
            self._generation.release.set()
        self._acceptor.join(SHUTDOWN_SECONDS)
        self._listener.close()
        deadline = time.monotonic() + SHUTDOWN_SECONDS
        with self._changed:
            connections = list(self._connections)
        for thread in connections:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._raise_errors()

    def _accept_forever(self) -> None:
        while not self._stopping.is_set():
            readable, _, _ = select.select([self._listener], [], [], POLL_SECONDS)
            if not readable:
                continue
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(
                target=self._serve_connection, args=(conn,), name="fault-server-conn", daemon=True
            )
            with self._changed:
                self._connections.add(thread)
            thread.start()

    def _serve_connection(self, conn: socket.socket) -> None:
        try:
            # A client that goes away mid-exchange is no error: the record already says when.
            with contextlib.suppress(OSError), conn:
                conn.settimeout(CONNECTION_TIMEOUT)
                self._exchange(conn)
        except Exception as error:  # a fault that cannot be played must fail the test
            with self._changed:
                self._errors.append(f"{type(error).__name__}: {error}")
                self._changed.notify_all()
        finally:
            with self._changed:
                self._connections.discard(threading.current_thread())

    def _exchange(self, conn: socket.socket) -> None:
        with self._changed:
            release = self._generation.release
        request = read_request(conn, release)
        if request is None:
            return
        with self._changed:
            generation = self._generation
            if request.arrived_at < generation.started_at - CLOCK_SLACK:
                return
            exchanges = generation.exchanges
            index = len(exchanges)
            fault = generation.script.step(index)
            exchanges.append(
                Exchange(
                    method=request.method,
                    path=request.path,
                    headers=request.headers,
                    body=request.body,
                    fault=fault,
                    arrived_at=request.arrived_at,
                )
            )
        played = play(fault, conn, generation.release)
        with self._changed:
            exchanges[index] = dataclasses.replace(
                exchanges[index],
                ended_at=played.ended_at,
                retry_after=played.retry_after,
                answered=played.answered,
            )
            self._changed.notify_all()
