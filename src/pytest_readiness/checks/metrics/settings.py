"""One `[[tool.readiness.metrics]]` entry: where the metrics are, how to start the service,
what traffic to send and which metrics must be there."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pytest_readiness.checks.entries import check_entry_name
from pytest_readiness.checks.health.settings import PORT


@dataclass
class MetricsEntry:
    name: str
    url: str
    """The metrics URL, e.g. `http://127.0.0.1:{port}/metrics`."""
    command: str = ""
    """Starts the service (`{port}`, `{python}` filled in); empty for a service already up."""
    cwd: str = ""
    env: dict[str, str] = field(default_factory=dict)
    startup_timeout_s: float = 10.0
    traffic_url: str = ""
    """What the check requests between the two scrapes; default `/` on the metrics host."""
    requests: int = 20
    distinct_paths: int = 10
    """Requests to as many never-seen paths, to see whether a label grows with them."""
    timeout_s: float = 5.0
    request_counter: str = r".*requests?(_total)?$"
    """Regex of the request counter's family name (it must carry a status label)."""
    status_labels: list[str] = field(default_factory=lambda: ["status", "code", "status_code"])
    duration: str = r".*(duration|latency).*"
    """Regex of the request-duration histogram or summary."""
    required: list[str] = field(default_factory=list)
    """Family names that must be exposed (business metrics: tokens, cost, ...)."""

    def validate(self) -> None:
        check_entry_name(self.name)
        for url in (self.url, self.traffic_url):
            if url and not url.startswith(("http://", "https://")):
                raise ValueError(f"url {url!r} must start with http:// or https://")
        if PORT in self.url + self.traffic_url and not self.command:
            raise ValueError("a url with {port} needs a `command` that starts the service")
        if self.requests < 1 or self.distinct_paths < 0:
            raise ValueError("requests must be at least 1 and distinct_paths at least 0")
        for key in ("request_counter", "duration"):
            try:
                re.compile(getattr(self, key))
            except re.error as error:
                raise ValueError(f"{key}: not a regex: {error}") from None
