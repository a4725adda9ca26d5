"""Endpoints that fail before any HTTP is spoken: the faults connect-level retries react to.

`httpx.HTTPTransport(retries=N)` and urllib3's `Retry(connect=N)` retry only failures to
connect, never a bad answer, so proving them needs a port that refuses, a connect that never
completes, or a TLS handshake that hangs or fails. Each endpoint counts the TCP connections it
accepted (a refused or never-completed connect is invisible to any server, so those two prove a
client's deadline, not its attempt count).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Literal

from pytest_readiness.closing import Closing

POLL_SECONDS = 0.05
CERTIFICATE_DAYS = 2


class Endpoint(Closing):
    """A local address that misbehaves until closed; `accepted` holds connection arrival times."""

    def __init__(self) -> None:
        self.accepted: list[float] = []
        self._closing = threading.Event()
        self._sockets: list[socket.socket] = []
        self.port = 0

    @property
    def address(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closing.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()


class Refusing(Endpoint):
    """A port that is bound but not listening: every connect is refused at once."""

    def __init__(self) -> None:
        super().__init__()
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        holder.bind(("127.0.0.1", 0))  # held, so no other process takes the port meanwhile
        self._sockets.append(holder)
        self.port = holder.getsockname()[1]


class Unanswered(Endpoint):
    """A listener whose accept queue is full and never drained: a connect never completes."""

    def __init__(self) -> None:
        super().__init__()
        listener = socket.create_server(("127.0.0.1", 0), backlog=0)
        self._sockets.append(listener)
        self.port = listener.getsockname()[1]
        for _ in range(4):  # fill the queue (its length is backlog + 1 on Linux) and then some
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(self.address)
            self._sockets.append(filler)
        time.sleep(POLL_SECONDS)


class TLSFault(Endpoint):
    """Accepts TCP, then either never answers the TLS handshake (`hang`) or completes it with
    a self-signed certificate no client trusts (`untrusted`)."""

    def __init__(self, mode: Literal["hang", "untrusted"]) -> None:
        super().__init__()
        self.mode = mode
        self._context: ssl.SSLContext | None = None
        if mode == "untrusted":
            self._folder = tempfile.TemporaryDirectory(prefix="readiness-tls-")
            self._context = _self_signed_context(Path(self._folder.name))
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(POLL_SECONDS)
        self._sockets.append(listener)
        self.port = listener.getsockname()[1]
        threading.Thread(target=self._serve, args=(listener,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def _serve(self, listener: socket.socket) -> None:
        while not self._closing.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(time.monotonic())
            self._sockets.append(connection)
            if self._context is not None:
                threading.Thread(target=self._handshake, args=(connection,), daemon=True).start()

    def _handshake(self, connection: socket.socket) -> None:
        assert self._context is not None
        connection.settimeout(5)
        with contextlib.suppress(OSError):
            self._context.wrap_socket(connection, server_side=True).close()

    def close(self) -> None:
        super().close()
        if self.mode == "untrusted":
            self._folder.cleanup()


def _self_signed_context(folder: Path) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate, made by the `openssl` command."""
    key, certificate = folder / "key.pem", folder / "certificate.pem"
    command = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
        "-out", str(certificate), "-days", str(CERTIFICATE_DAYS), "-subj", "/CN=127.0.0.1",
    ]  # fmt: skip
    try:
        subprocess.run(command, capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.CalledProcessError) as error:
        raise RuntimeError(
            f"cannot make a self-signed certificate with openssl: {error}"
        ) from error
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    return context
