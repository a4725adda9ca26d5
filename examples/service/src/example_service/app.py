"""The HTTP layer: routes requests to the inventory and answers in JSON.

`/healthz` is liveness: it answers as long as the process can serve a request, and never looks
at dependencies (a liveness that fails with a dependency restarts every instance at once).
`/readyz` is readiness: it also asks the supplier, and answers 503 while the supplier does not
answer, so that traffic goes elsewhere until it is back. Both answer `application/health+json`.

`/changes?wait_s=N` is a long poll: it answers the stock when an item is added, or after N
seconds (at most 10), so that clients can watch stock levels without polling hard.

On SIGTERM (a rolling update, a scale-down) the service shuts down gracefully: readiness answers
503 at once, the listener closes, long polls are answered at once, every request in flight is
answered, and the process exits 0.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from example_service import metrics, tracing
from example_service.inventory import InvalidItem, Inventory

logger = logging.getLogger(__name__)

HEALTH_JSON = "application/health+json"
DEPENDENCY_TIMEOUT_S = 0.5
"""Well under a probe's 1 s timeout, so a hanging supplier makes readyz fail, not time out."""
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
MAX_WAIT_S = 10.0


class InventoryHandler(BaseHTTPRequestHandler):
    server: InventoryServer
    status_sent = 0

    def do_GET(self) -> None:
        with self._observed("GET"):
            self._get()

    def do_POST(self) -> None:
        with self._observed("POST"):
            self._post()

    @contextmanager
    def _observed(self, method: str) -> Iterator[None]:
        """Counted and timed (metrics) and traced (a server span) as one."""
        with (
            tracing.served(method, self.path, self.headers, self._status),
            metrics.observed(method, self.path, self._status),
        ):
            yield

    def _status(self) -> int:
        return self.status_sent

    def send_response(self, code: int, message: str | None = None) -> None:
        self.status_sent = int(code)
        super().send_response(code, message)

    def _get(self) -> None:
        if self.path == "/metrics":
            self._send_bytes(HTTPStatus.OK, metrics.exposition(), metrics.CONTENT_TYPE)
        elif self.path == "/healthz":
            self._send(HTTPStatus.OK, {"status": "pass"}, HEALTH_JSON)
        elif self.path == "/readyz":
            self._send_readiness()
        elif self.path == "/items":
            self._send(HTTPStatus.OK, self.server.inventory.as_dict())
        elif urlsplit(self.path).path == "/changes":
            self._send_after_change()
        elif self.path.startswith("/items/"):
            name = self.path.removeprefix("/items/")
            quantity = self.server.inventory.quantity(name)
            if quantity is None:
                self._send(HTTPStatus.NOT_FOUND, {"error": f"no item {name!r}"})
            else:
                self._send(HTTPStatus.OK, {"name": name, "quantity": quantity})
        else:
            self._send(HTTPStatus.NOT_FOUND, {"error": "no such endpoint"})

    def _post(self) -> None:
        if self.path != "/items":
            self._send(HTTPStatus.NOT_FOUND, {"error": "no such endpoint"})
            return
        length = int(self.headers.get("Content-Length", "0"))
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            self.server.inventory.add(body.get("name"), body.get("quantity"))
        except (ValueError, AttributeError, InvalidItem) as error:
            self._send(HTTPStatus.BAD_REQUEST, {"error": str(error)})
            return
        metrics.ITEMS_ADDED.inc(body["quantity"])
        self.server.announce_change()
        self._send(HTTPStatus.CREATED, {"name": body["name"]})

    def _send_after_change(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        try:
            wait_s = min(float(query.get("wait_s", ["0"])[0]), MAX_WAIT_S)
        except ValueError:
            self._send(HTTPStatus.BAD_REQUEST, {"error": "wait_s must be a number of seconds"})
            return
        self.server.wait_for_change(wait_s)
        self._send(HTTPStatus.OK, self.server.inventory.as_dict())

    def _send_readiness(self) -> None:
        if self.server.stopping.is_set():
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "fail"}, HEALTH_JSON)
            return
        url = self.server.dependency_url
        if url is None:
            self._send(HTTPStatus.OK, {"status": "pass"}, HEALTH_JSON)
            return
        check = check_dependency(url)
        ready = check["status"] == "pass"
        self._send(
            HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE,
            {"status": check["status"], "checks": {"supplier:reachable": [check]}},
            HEALTH_JSON,
        )

    def _send(
        self, status: HTTPStatus, payload: Any, content_type: str = "application/json"
    ) -> None:
        self._send_bytes(status, json.dumps(payload).encode(), content_type)

    def _send_bytes(self, status: HTTPStatus, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet by default: access logs would drown test output."""


def check_dependency(url: str) -> dict[str, Any]:
    """One health+json check result for the supplier: pass when it answers below 500."""
    started = time.monotonic()
    try:
        with tracing.calling("GET supplier") as headers:
            request = urllib.request.Request(url, headers=headers)
            with _DIRECT.open(request, timeout=DEPENDENCY_TIMEOUT_S) as response:
                status: int = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (OSError, ValueError) as error:
        return {"status": "fail", "output": f"supplier unreachable: {type(error).__name__}"}
    elapsed_ms = round((time.monotonic() - started) * 1000, 1)
    if status >= 500:
        return {"status": "fail", "output": f"supplier answered HTTP {status}"}
    return {"status": "pass", "observedValue": elapsed_ms, "observedUnit": "ms"}


class InventoryServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        inventory: Inventory | None = None,
        dependency_url: str | None = None,
    ) -> None:
        super().__init__(address, InventoryHandler)
        self.inventory = inventory or Inventory()
        self.dependency_url = dependency_url
        self.stopping = threading.Event()
        self._changed = threading.Condition()

    def announce_change(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def wait_for_change(self, wait_s: float) -> None:
        """Until the stock changes, `wait_s` passes, or the server is stopping."""
        with self._changed:
            if not self.stopping.is_set():
                self._changed.wait(max(0.0, wait_s))

    def stop_gracefully(self) -> None:
        """Fail readiness, stop accepting, end long polls; `serve` then answers what is in
        flight and returns. Safe from a signal handler: `shutdown()` blocks, so it gets a thread.
        """
        self.stopping.set()
        self.announce_change()
        threading.Thread(target=self.shutdown, name="graceful-shutdown").start()


def start_in_thread(
    host: str = "127.0.0.1", port: int = 0, dependency_url: str | None = None
) -> InventoryServer:
    """Start a server on a background thread; the caller shuts it down (within 50 ms)."""
    server = InventoryServer((host, port), dependency_url=dependency_url)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def serve(host: str, port: int, dependency_url: str | None = None) -> None:
    with InventoryServer((host, port), dependency_url=dependency_url) as server:
        server.daemon_threads = False  # closing the server waits for the requests in flight
        signal.signal(signal.SIGTERM, lambda signum, frame: server.stop_gracefully())
        logger.info("serving on http://%s:%d", host, server.server_address[1])
        server.serve_forever()
        logger.info("SIGTERM: answering the requests in flight, then exiting")
    logger.info("stopped")
