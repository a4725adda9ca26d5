"""Purpose-built HTTP services for the health tests, each misbehaving in one chosen way.

Serve one in a thread (`serve_in_thread`) to test probes, or run this file as a process
(`python tests/health_servers.py --port N ...`) to test starting and stopping services.
Paths: `/healthz` is liveness, `/readyz` readiness (both may look at a dependency); every
other path answers the configured status, body and delay.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
MARKER_VARIABLE = "HEALTH_TEST_MARKER"


@dataclass
class Behaviour:
    status: int = 200
    body: str = '{"status": "pass"}'
    content_type: str = "application/health+json"
    delay_ms: float = 0.0
    location: str = ""
    dependency_url: str = ""
    readiness: str = "checks"
    """checks: 503 while the dependency is down; ignores: always 200; latches: stays 503."""
    liveness_checks_dependency: bool = False
    dependency_timeout_s: float = 0.5
    """0: the dependency is called without a timeout (and hangs with it)."""
    slow_path: str = ""
    """When set, only this path waits `delay_ms`."""
    seen: list[dict[str, str]] = field(default_factory=list)
    latched: bool = False


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        behaviour = self.server.behaviour
        behaviour.seen.append(dict(self.headers.items()))
        path = self.path.split("?")[0]
        if behaviour.delay_ms and behaviour.slow_path in ("", path):
            time.sleep(behaviour.delay_ms / 1000)
        if behaviour.dependency_url and path in ("/healthz", "/readyz"):
            self._dependent(path, behaviour)
            return
        headers = {"Location": behaviour.location} if behaviour.location else {}
        self._answer(behaviour.status, behaviour.body, behaviour.content_type, headers)

    def _dependent(self, path: str, behaviour: Behaviour) -> None:
        checks = path == "/readyz" and behaviour.readiness != "ignores"
        if path == "/healthz" and behaviour.liveness_checks_dependency:
            checks = True
        up = not checks or _answers(behaviour.dependency_url, behaviour.dependency_timeout_s)
        if path == "/readyz" and behaviour.readiness == "latches":
            behaviour.latched = behaviour.latched or not up
            up = not behaviour.latched
        status = 200 if up else 503
        word = "pass" if up else "fail"
        self._answer(status, json.dumps({"status": word}), "application/health+json", {})

    def _answer(self, status: int, body: str, content_type: str, headers: dict[str, str]) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the tests read answers, not access logs."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, behaviour: Behaviour) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.behaviour = behaviour

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def _answers(url: str, timeout_s: float) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout_s or None):
            return True
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def serve_in_thread(behaviour: Behaviour | None = None) -> Iterator[_Server]:
    """A server on a free port for the duration of the block; closed afterwards."""
    server = _Server(0, behaviour or Behaviour())
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def refuses(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class LeakGuard:
    """Marks the processes a test starts (through their environment) and finds survivors."""

    def __init__(self) -> None:
        self.marker = uuid.uuid4().hex
        self.env = {MARKER_VARIABLE: self.marker}

    def survivors(self) -> list[int]:
        needle = f"{MARKER_VARIABLE}={self.marker}".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                environ = (entry / "environ").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if needle in environ.split(b"\0") and state != "Z":
                found.append(int(entry.name))
        return found


def script_command(*arguments: str) -> list[str]:
    return [sys.executable, str(SCRIPT), *arguments]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--body", default='{"status": "pass"}')
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--startup-delay-ms", type=float, default=0.0)
    parser.add_argument("--dependency-url", default="")
    parser.add_argument("--readiness", choices=["checks", "ignores", "latches"], default="checks")
    parser.add_argument("--liveness-checks-dependency", action="store_true")
    parser.add_argument("--dependency-timeout-s", type=float, default=0.5, help="0: none")
    parser.add_argument("--crash", action="store_true", help="print $CRASH_MESSAGE, exit 3")
    parser.add_argument("--never-listen", action="store_true")
    parser.add_argument("--ignore-sigterm", action="store_true")
    parser.add_argument("--note-sigterm", default="", help="ignore SIGTERM, noting it in a file")
    parser.add_argument("--spawn-child", action="store_true", help="leave a child in the group")
    parser.add_argument("--slow-path", default="", help="only this path waits --delay-ms")
    parser.add_argument(
        "--graceful", action="store_true", help="on SIGTERM: close, finish requests, exit 0"
    )
    parser.add_argument("--keep-serving-ms", type=float, default=0.0, help="after SIGTERM")
    parser.add_argument("--exit-delay-ms", type=float, default=0.0, help="after closing")
    arguments = parser.parse_args()
    print(f"starting on port {arguments.port}", flush=True)
    if arguments.ignore_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if arguments.note_sigterm:
        note = Path(arguments.note_sigterm)
        signal.signal(signal.SIGTERM, lambda signum, frame: note.write_text("SIGTERM"))
    if arguments.spawn_child:
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    if arguments.crash:
        message = os.environ.get("CRASH_MESSAGE", "ConfigError: DATABASE_URL is not set")
        print(message, file=sys.stderr, flush=True)
        sys.exit(3)
    time.sleep(arguments.startup_delay_ms / 1000)
    if arguments.never_listen:
        time.sleep(60)
        return
    behaviour = Behaviour(
        status=arguments.status,
        body=arguments.body,
        delay_ms=arguments.delay_ms,
        dependency_url=arguments.dependency_url,
        readiness=arguments.readiness,
        liveness_checks_dependency=arguments.liveness_checks_dependency,
        dependency_timeout_s=arguments.dependency_timeout_s,
        slow_path=arguments.slow_path,
    )
    with _Server(arguments.port, behaviour) as server:
        if arguments.graceful:
            server.daemon_threads = False
            signal.signal(signal.SIGTERM, lambda signum, frame: _drain(server, arguments))
        print(f"ready (pid {os.getpid()})", flush=True)
        server.serve_forever(0.05)
    time.sleep(arguments.exit_delay_ms / 1000)


def _drain(server: _Server, arguments: argparse.Namespace) -> None:
    """Serve on for a while, then stop accepting; the handler threads are joined on close."""

    def close() -> None:
        time.sleep(arguments.keep_serving_ms / 1000)
        server.shutdown()

    threading.Thread(target=close).start()


if __name__ == "__main__":
    main()
