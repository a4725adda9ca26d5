"""Traces leave the real service over OTLP/HTTP and carry the caller's trace to the supplier."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from example_service import tracing
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span

SOURCE = Path(__file__).resolve().parent.parent / "src"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN_ID = "00f067aa0ba902b7"


class Recorder(ThreadingHTTPServer):
    """A loopback server keeping what it was sent: OTLP exports, or the supplier's headers."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recording)
        self.bodies: list[bytes] = []
        self.traceparents: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Recording(BaseHTTPRequestHandler):
    server: Recorder

    def do_POST(self) -> None:
        self.server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self._answer(ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf")

    def do_GET(self) -> None:
        self.server.traceparents.append(self.headers.get("traceparent", ""))
        self._answer(b"ok", "text/plain")

    def _answer(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _spans(bodies: list[bytes]) -> tuple[list[Span], set[str]]:
    """Every span exported, and the service names of their resources."""
    spans, names = [], set()
    for body in bodies:
        for resource_spans in ExportTraceServiceRequest.FromString(body).resource_spans:
            for attribute in resource_spans.resource.attributes:
                if attribute.key == "service.name":
                    names.add(attribute.value.string_value)
            for scope_spans in resource_spans.scope_spans:
                spans.extend(scope_spans.spans)
    return spans, names


def test_a_request_is_traced_to_the_collector_and_on_to_the_supplier(
    recorder: Recorder,
) -> None:
    supplier = Recorder()
    threading.Thread(target=supplier.serve_forever, args=(0.05,), daemon=True).start()
    environment = {
        **os.environ,
        "PYTHONPATH": str(SOURCE),
        "OTEL_EXPORTER_OTLP_ENDPOINT": recorder.url,
        "OTEL_BSP_SCHEDULE_DELAY": "50",
        "NO_PROXY": "127.0.0.1",
    }
    environment.pop("OTEL_SERVICE_NAME", None)
    service = subprocess.Popen(
        [sys.executable, "-m", "example_service", "--port", "0", "--dependency-url", supplier.url],
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert service.stderr is not None
        announced = re.search(r"serving on (http://\S+)", service.stderr.readline())
        assert announced, "the service did not say where it serves"
        request = urllib.request.Request(
            f"{announced.group(1)}/readyz",
            headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"},
        )
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
            request, timeout=5
        ) as response:
            assert response.status == 200
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=15) == 0
    finally:
        service.kill()
        service.wait()
        supplier.shutdown()
        supplier.server_close()

    spans, names = _spans(recorder.bodies)
    assert names == {"inventory"}
    by_name = {span.name: span for span in spans}
    server_span, client_span = by_name["GET /readyz"], by_name["GET supplier"]
    assert server_span.kind == Span.SPAN_KIND_SERVER
    assert server_span.trace_id.hex() == TRACE_ID
    assert server_span.parent_span_id.hex() == CALLER_SPAN_ID
    assert client_span.kind == Span.SPAN_KIND_CLIENT
    assert client_span.parent_span_id == server_span.span_id
    status = {a.key: a.value.int_value for a in server_span.attributes}
    assert status["http.response.status_code"] == 200
    assert supplier.traceparents == [f"00-{TRACE_ID}-{client_span.span_id.hex()}-01"]


def test_without_an_endpoint_nothing_is_exported() -> None:
    provider = tracing.configure({})
    try:
        assert provider.resource.attributes["service.name"] == "inventory"
        assert provider._active_span_processor._span_processors == ()
    finally:
        provider.shutdown()


def test_the_service_name_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "inventory-canary")
    provider = tracing.configure({"OTEL_SERVICE_NAME": "inventory-canary"})
    try:
        assert provider.resource.attributes["service.name"] == "inventory-canary"
    finally:
        provider.shutdown()
