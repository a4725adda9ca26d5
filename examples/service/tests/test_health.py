import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from threading import Thread

import pytest
from example_service.app import HEALTH_JSON, InventoryServer, start_in_thread


def _get(url: str) -> tuple[int, str, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers["Content-Type"], json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], json.load(error)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class _Supplier(BaseHTTPRequestHandler):
    status = HTTPStatus.OK

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Silent."""


@pytest.fixture
def supplier() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Supplier)
    Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: InventoryServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


@pytest.fixture
def stop() -> Iterator[list[InventoryServer]]:
    started: list[InventoryServer] = []
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def test_liveness_and_readiness_pass_without_a_dependency(base_url: str) -> None:
    assert _get(f"{base_url}/healthz") == (200, HEALTH_JSON, {"status": "pass"})
    assert _get(f"{base_url}/readyz") == (200, HEALTH_JSON, {"status": "pass"})


def test_readiness_passes_while_the_supplier_answers(
    supplier: HTTPServer, stop: list[InventoryServer]
) -> None:
    service = start_in_thread(dependency_url=f"http://127.0.0.1:{supplier.server_address[1]}/")
    stop.append(service)
    status, _, body = _get(_url(service, "/readyz"))
    assert status == 200
    assert body["status"] == "pass"
    assert body["checks"]["supplier:reachable"][0]["status"] == "pass"  # type: ignore[index]


@pytest.mark.parametrize("supplier_status", [HTTPStatus.INTERNAL_SERVER_ERROR, None])
def test_readiness_fails_while_the_supplier_is_down_and_liveness_holds(
    supplier: HTTPServer, stop: list[InventoryServer], supplier_status: HTTPStatus | None
) -> None:
    if supplier_status is None:
        url = f"http://127.0.0.1:{_closed_port()}/"
    else:
        url = f"http://127.0.0.1:{supplier.server_address[1]}/"
        supplier.RequestHandlerClass = type("Failing", (_Supplier,), {"status": supplier_status})
    service = start_in_thread(dependency_url=url)
    stop.append(service)
    status, content_type, body = _get(_url(service, "/readyz"))
    assert (status, content_type, body["status"]) == (503, HEALTH_JSON, "fail")
    assert body["checks"]["supplier:reachable"][0]["status"] == "fail"  # type: ignore[index]
    assert _get(_url(service, "/healthz"))[0] == 200


def test_command_line_takes_the_supplier_from_the_environment() -> None:
    port = _closed_port()
    env = {**os.environ, "SUPPLIER_URL": f"http://127.0.0.1:{_closed_port()}/"}
    env["PYTHONPATH"] = str(Path(__file__).parents[1] / "src")
    command = [sys.executable, "-m", "example_service", "--port", str(port)]
    with subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL) as process:
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    status = _get(f"http://127.0.0.1:{port}/readyz")[0]
                    break
                except urllib.error.URLError:
                    assert time.monotonic() < deadline, "the service never answered"
                    time.sleep(0.02)
            assert status == 503
        finally:
            process.terminate()
