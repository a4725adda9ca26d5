"""A real HTTP service with Prometheus metrics, run as a process by the `metrics` check's tests.

    python metrics_service.py PORT [good|silent|raw-path|secret|no-histogram|garbage|no-metrics]

`good` counts every request by method, route and status and times it in a histogram; each other
mode breaks exactly one thing the check looks for.
"""

from __future__ import annotations

import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

PORT, MODE = int(sys.argv[1]), sys.argv[2]
REGISTRY = CollectorRegistry()
REQUESTS = Counter("http_requests", "Requests served", ["method", "route", "status"],
                   registry=REGISTRY)  # fmt: skip
DURATION = (
    None
    if MODE == "no-histogram"
    else Histogram("http_request_duration_seconds", "Time to serve", ["route"], registry=REGISTRY)
)
if MODE == "silent":  # registered and exported at zero, never updated
    REQUESTS.labels("GET", "/", "200")
    assert DURATION is not None
    DURATION.labels("/")
TOKENS = Counter("llm_tokens", "Tokens used", registry=REGISTRY)
if MODE == "secret":  # the test hands a well-formed token in the environment
    INFO = Gauge("build_info", "Build", ["token"], registry=REGISTRY)
    INFO.labels(token=os.environ["BUILD_TOKEN"]).set(1)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        started = time.monotonic()
        if self.path == "/metrics":
            if MODE == "no-metrics":
                self._send(404, b"not found")
                return
            body = b"this is {not prometheus\n" if MODE == "garbage" else generate_latest(REGISTRY)
            self._send(200, body, "text/plain; version=0.0.4")
            return
        status = 200 if self.path == "/" else 404
        route = self.path if MODE == "raw-path" else ("/" if status == 200 else "unmatched")
        self._send(status, b"ok" if status == 200 else b"no")
        if MODE != "silent":
            REQUESTS.labels("GET", route, str(status)).inc()
            if DURATION is not None:
                DURATION.labels(route).observe(time.monotonic() - started)

    def _send(self, status: int, body: bytes, kind: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
