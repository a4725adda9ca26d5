"""Requests kept in flight, and readiness polled, around a SIGTERM: what each one saw and when.

Plain `http.client` on fresh connections (no pool, no retries, no proxies), so that the moment
a connection was established is known: a request whose connection was accepted before SIGTERM
is one the service owed an answer. All times are `time.monotonic()`.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

POLL_S = 0.05
READINESS_TIMEOUT_S = 1.0
"""Kubernetes' default probe `timeoutSeconds`."""
RETRY_PAUSE_S = 0.02
ABANDON_S = 1.0


@dataclass
class Exchange:
    """One request: when its connection was accepted, when it ended, and how."""

    started_at: float
    connected_at: float | None = None
    ended_at: float | None = None
    status: int | None = None
    error: str = ""

    @property
    def answered(self) -> bool:
        return self.status is not None

    def describe(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else self.error

    def in_flight(self) -> bool:
        return self.connected_at is not None and self.ended_at is None

    def accepted_before(self, moment: float) -> bool:
        return self.connected_at is not None and self.connected_at < moment

    @property
    def failed(self) -> bool:
        """No answer (reset, closed, timed out) or a server error."""
        return self.status is None or self.status >= 500


def fetch(url: str, timeout_s: float, into: Exchange | None = None) -> Exchange:
    """One GET on a fresh connection, the whole body read; `into` is filled in as it goes."""
    address = urlsplit(url)
    path = address.path or "/"
    if address.query:
        path += f"?{address.query}"
    exchange = into or Exchange(started_at=time.monotonic())
    connection = http.client.HTTPConnection(
        address.hostname or "127.0.0.1", address.port or 80, timeout=timeout_s
    )
    try:
        connection.connect()
        exchange.connected_at = time.monotonic()
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        response.read()
        exchange.status = response.status
    except (OSError, http.client.HTTPException) as error:
        exchange.error = _describe(error)
    finally:
        exchange.ended_at = time.monotonic()
        connection.close()
    return exchange


def _describe(error: Exception) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if isinstance(error, http.client.RemoteDisconnected):
        return "closed without an answer"
    return f"{type(error).__name__}: {error}"


class Recorder:
    """Threads that each repeat a request until told to stop, keeping every exchange."""

    def __init__(self, url: str, threads: int, timeout_s: float, pause_s: float = 0.0) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.pause_s = pause_s
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._repeat, name=f"shutdown-traffic-{index}", daemon=True)
            for index in range(threads)
        ]

    def __enter__(self) -> Recorder:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc_info: object) -> None:
        """Wait for the requests on their way; briefly when leaving on an error (the threads
        are daemons, and the service is stopped next, which ends their connections)."""
        self.stop_new()
        self.join(ABANDON_S if kind else self.timeout_s + 1)

    def _repeat(self) -> None:
        while not self._stop.is_set():
            exchange = Exchange(started_at=time.monotonic())
            with self._lock:
                self.exchanges.append(exchange)
            fetch(self.url, self.timeout_s, into=exchange)
            if not exchange.answered or self.pause_s:
                self._stop.wait(self.pause_s or RETRY_PAUSE_S)

    def stop_new(self) -> None:
        """Start no new request; those on their way finish."""
        self._stop.set()

    def join(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def snapshot(self) -> list[Exchange]:
        with self._lock:
            return list(self.exchanges)
