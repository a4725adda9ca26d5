"""Traces: a server span per request, the supplier check as its child, exported over OTLP.

Configured by the standard OpenTelemetry environment, as the Deployment sets it:
`OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`),
`OTEL_BSP_*`. Without an endpoint no exporter is installed and spans are dropped, so a run on
a laptop sends nothing anywhere. A caller's `traceparent` header is continued and one is sent to
the supplier (W3C Trace Context), so a trace follows the request across services.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

from example_service.metrics import route_of

SERVICE_NAME = "inventory"
ENDPOINT_SETTINGS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
TRACER = trace.get_tracer("example_service")


def configure(environ: Mapping[str, str] = os.environ) -> TracerProvider:
    """Install the process's tracer provider; `OTEL_SERVICE_NAME` wins over the default name."""
    attributes = {} if environ.get("OTEL_SERVICE_NAME") else {"service.name": SERVICE_NAME}
    provider = TracerProvider(resource=Resource.create(attributes))
    if any(environ.get(name) for name in ENDPOINT_SETTINGS):
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


@contextmanager
def served(method: str, path: str, headers: Any, status: Callable[[], int]) -> Iterator[None]:
    """One SERVER span, named by route template like the metrics; 5xx marks it an error."""
    route = route_of(path)
    with TRACER.start_as_current_span(
        f"{method} {route}",
        context=propagate.extract(headers),
        kind=SpanKind.SERVER,
        attributes={"http.request.method": method, "http.route": route},
    ) as span:
        try:
            yield
        finally:
            code = status()
            span.set_attribute("http.response.status_code", code)
            if code >= 500:
                span.set_status(Status(StatusCode.ERROR))


@contextmanager
def calling(name: str) -> Iterator[dict[str, str]]:
    """A CLIENT span around an outgoing call; yields the headers that carry the trace on."""
    with TRACER.start_as_current_span(name, kind=SpanKind.CLIENT):
        headers: dict[str, str] = {}
        propagate.inject(headers)
        yield headers
