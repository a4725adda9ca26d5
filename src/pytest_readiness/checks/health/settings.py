"""One `[[tool.readiness.health]]` entry: which endpoint to probe, how to start it, what to expect.

Defaults follow the Kubernetes probe (1 s timeout, success is 200 <= status < 400) so that an
entry with only a name and a URL checks what the kubelet would check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pytest_readiness.checks.entries import check_entry_name
from pytest_readiness.checks.health.probe import (
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_READ_TIMEOUT_S,
    Answer,
)

PORT = "{port}"
DependencyFaultName = Literal["down", "slow", "black-hole"]
PROXIED_FAULTS = ("slow", "black-hole")
"""The faults that need a proxy between the service and the stand-in."""


@dataclass
class HealthEntry:
    """An endpoint to probe; with a `command` the check starts the service itself."""

    name: str
    url: str
    command: str = ""
    """Starts the service; `{port}`, `{dependency_port}` and `{python}` are filled in."""
    cwd: str = ""
    """Where the command runs, relative to the rootdir (default: the rootdir)."""
    env: dict[str, str] = field(default_factory=dict)
    startup_timeout_s: float = 10.0
    startup_budget_ms: float | None = None
    expect_status: list[int] = field(default_factory=list)
    """Accepted status codes; empty means 200 <= status < 400 like a Kubernetes probe."""
    body_format: Literal["auto", "json", "health+json"] = "auto"
    expect_keys: list[str] = field(default_factory=list)
    """Dotted paths that must exist in the JSON body, e.g. `checks.database`."""
    expect_json: dict[str, Any] = field(default_factory=dict)
    """Dotted path -> the value it must have, e.g. `{ status = "pass" }`."""
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    timeout_s: float = DEFAULT_READ_TIMEOUT_S
    """The probe's read timeout: Kubernetes' `timeoutSeconds`."""
    probes: int = 20
    budget_p50_ms: float | None = None
    budget_p95_ms: float | None = None
    budget_max_ms: float | None = None
    liveness_url: str = ""
    """Probed while the dependency is faulted: it must stay successful."""
    dependency_command: str = ""
    """Starts a stand-in for a dependency on `{dependency_port}`; the check faults it (see
    `dependency_faults`) to see readiness fail, then lifts the fault to see readiness recover."""
    dependency_down_status: list[int] = field(default_factory=lambda: [503])
    dependency_timeout_s: float = 5.0
    """How long readiness may take to notice the dependency left, and that it came back."""
    dependency_faults: list[DependencyFaultName] = field(default_factory=lambda: ["down"])
    """In this order: `down` stops the stand-in; `slow` and `black-hole` put a proxy in front of
    it (the service's `{dependency_port}`) that holds its answers or swallows its requests."""
    dependency_slow_s: float = 2.0
    """How long `slow` holds each answer: above the service's own dependency timeout, and above
    `timeout_s` so that a service without one makes the probe time out."""
    scan_body_for_secrets: bool = True

    def validate(self) -> None:
        check_entry_name(self.name)
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url {self.url!r} must start with http:// or https://")
        if PORT in self.url + self.liveness_url and not self.command:
            raise ValueError("a url with {port} needs a `command` that starts the service")
        if self.dependency_command and not self.command:
            raise ValueError("`dependency_command` needs a `command` that starts the service")
        self._validate_faults()
        if self.probes < 1:
            raise ValueError("probes must be at least 1")
        for key in (
            "startup_timeout_s",
            "connect_timeout_s",
            "timeout_s",
            "dependency_timeout_s",
            "dependency_slow_s",
        ):
            if getattr(self, key) <= 0:
                raise ValueError(f"{key} must be greater than 0")
        for code in (*self.expect_status, *self.dependency_down_status):
            if not 100 <= code <= 599:
                raise ValueError(f"status {code} is not an HTTP status code (100-599)")
        timeout_ms = self.timeout_s * 1000
        if self.budget_p95_ms is not None and self.budget_p95_ms >= timeout_ms:
            raise ValueError(
                f"budget_p95_ms ({self.budget_p95_ms:g}) must sit under the probe timeout "
                f"timeout_s ({self.timeout_s:g} s), or every slow answer is a failed probe"
            )

    def _validate_faults(self) -> None:
        faults = self.dependency_faults
        if not faults:
            raise ValueError(
                "dependency_faults is empty: name at least one of down, slow, black-hole"
            )
        twice = sorted({name for name in faults if faults.count(name) > 1})
        if twice:
            raise ValueError(f"dependency_faults names {', '.join(twice)} more than once")
        if faults != ["down"] and not self.dependency_command:
            raise ValueError("`dependency_faults` needs a `dependency_command` to fault")

    @property
    def proxied(self) -> bool:
        """Whether the service reaches the stand-in through a fault proxy."""
        return bool(self.dependency_command) and any(
            name in PROXIED_FAULTS for name in self.dependency_faults
        )

    def accepts(self, status: int) -> bool:
        """Whether a status code counts as success for this entry."""
        if self.expect_status:
            return status in self.expect_status
        return 200 <= status < 400

    def ready(self, answer: Answer) -> bool:
        """Whether a probe's answer counts as success: it came, with an accepted status."""
        return answer.status is not None and self.accepts(answer.status)
