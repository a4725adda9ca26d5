"""The service's Prometheus metrics: rate, errors and duration per route, and one business figure.

Routes are labelled by their template (`/items/{name}`), never by the raw path: a label that
takes a value per item name would grow without bound in Prometheus.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "http_requests", "HTTP requests answered", ["method", "route", "status"], registry=REGISTRY
)
DURATION = Histogram(
    "http_request_duration_seconds", "Time to answer a request", ["method", "route"],
    registry=REGISTRY,
)  # fmt: skip
ITEMS_ADDED = Counter("inventory_items_added", "Units of stock added", registry=REGISTRY)
CONTENT_TYPE = CONTENT_TYPE_LATEST
KNOWN_ROUTES = ("/healthz", "/readyz", "/items", "/changes", "/metrics")


def route_of(path: str) -> str:
    """The route template a request path belongs to; unknown paths share one value."""
    path = path.split("?", 1)[0]
    if path in KNOWN_ROUTES:
        return path
    if path.startswith("/items/"):
        return "/items/{name}"
    return "unmatched"


@contextmanager
def observed(method: str, path: str, status: Callable[[], int]) -> Iterator[None]:
    """Count and time one request; `status` is read once it has been answered."""
    started = time.monotonic()
    try:
        yield
    finally:
        route = route_of(path)
        DURATION.labels(method, route).observe(time.monotonic() - started)
        REQUESTS.labels(method, route, str(status())).inc()


def exposition() -> bytes:
    return generate_latest(REGISTRY)
