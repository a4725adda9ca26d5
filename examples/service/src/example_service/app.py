"""The HTTP layer: routes requests to the inventory and answers in JSON."""

from __future__ import annotations

import json
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from example_service.inventory import Inventory, InvalidItem

logger = logging.getLogger(__name__)


class InventoryHandler(BaseHTTPRequestHandler):
    server: InventoryServer

    def do_GET(self) -> None:
        if self.path == "/items":
            self._send(HTTPStatus.OK, self.server.inventory.as_dict())
        elif self.path.startswith("/items/"):
            name = self.path.removeprefix("/items/")
            quantity = self.server.inventory.quantity(name)
            if quantity is None:
                self._send(HTTPStatus.NOT_FOUND, {"error": f"no item {name!r}"})
            else:
                self._send(HTTPStatus.OK, {"name": name, "quantity": quantity})
        else:
            self._send(HTTPStatus.NOT_FOUND, {"error": "no such endpoint"})

    def do_POST(self) -> None:
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
        self._send(HTTPStatus.CREATED, {"name": body["name"]})

    def _send(self, status: HTTPStatus, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet by default: access logs would drown test output."""


class InventoryServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], inventory: Inventory | None = None) -> None:
        super().__init__(address, InventoryHandler)
        self.inventory = inventory or Inventory()


def start_in_thread(host: str = "127.0.0.1", port: int = 0) -> InventoryServer:
    """Start a server on a background thread; the caller shuts it down."""
    server = InventoryServer((host, port))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve(host: str, port: int) -> None:
    with InventoryServer((host, port)) as server:
        logger.info("serving on http://%s:%d", host, server.server_address[1])
        server.serve_forever()
