"""One `[[tool.readiness.shutdown]]` entry: how to start the service, what traffic, which budgets.

The defaults follow Kubernetes: a pod gets `terminationGracePeriodSeconds` (30 s unless the
manifest says otherwise) between SIGTERM and SIGKILL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pytest_readiness.checks.entries import check_entry_name


@dataclass
class ShutdownEntry:
    """A service started by the check, sent SIGTERM while requests are in flight."""

    name: str
    """The item's parameter: letters, digits, `-`, `_`, `.`."""
    command: str
    """Starts the service; `{port}` and `{python}` are filled in. SIGTERM goes to this process
    (PID 1 of a container): a shell wrapper must `exec` the server."""
    url: str
    """The traffic: a slow endpoint keeps requests in flight; a fast one gets steady traffic."""
    ready_url: str = ""
    """Readiness, polled after SIGTERM (default: `url`); the start waits for a 2xx here."""
    cwd: str = ""
    """Where the command runs, relative to the rootdir (default: the rootdir)."""
    env: dict[str, str] = field(default_factory=dict)
    """Added to the command's environment (placeholders filled in)."""
    concurrency: int = 4
    """Requests kept going at once (threads, each a fresh connection per request)."""
    in_flight: int = 1
    """SIGTERM is sent once this many requests are open that the service accepted."""
    in_flight_wait_s: float = 5.0
    """How long to wait for `in_flight` requests before sending SIGTERM with what there is."""
    startup_timeout_s: float = 10.0
    """How long the service may take to answer 2xx on `ready_url`."""
    drain_s: float = 5.0
    """How long readiness may keep answering 2xx after SIGTERM (endpoints take a moment to
    update, so a short drain is fine); later is `still-ready-after-sigterm`."""
    grace_period_s: float | None = None
    """Time allowed from SIGTERM to exit; default: the manifest's
    `terminationGracePeriodSeconds` less its preStop sleep, else 30 s."""
    workload: str = ""
    """The manifest workload whose grace period applies, when several set different ones."""
    max_wait_s: float = 40.0
    """The check's bound: how long after SIGTERM it waits for the exit before it kills."""

    def validate(self) -> None:
        check_entry_name(self.name)
        if not self.command.strip():
            raise ValueError("command must start the service: the check sends it SIGTERM")
        for key in ("url", "ready_url"):
            value = getattr(self, key)
            if value and not value.startswith("http://"):
                raise ValueError(f"{key} {value!r} must start with http:// (a local service)")
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if not 1 <= self.in_flight <= self.concurrency:
            raise ValueError("in_flight must be between 1 and concurrency")
        for key in ("in_flight_wait_s", "startup_timeout_s", "max_wait_s"):
            if getattr(self, key) <= 0:
                raise ValueError(f"{key} must be greater than 0")
        if self.drain_s < 0:
            raise ValueError("drain_s must be 0 or more")
        if self.grace_period_s is not None and self.grace_period_s <= 0:
            raise ValueError("grace_period_s must be greater than 0")

    @property
    def readiness_url(self) -> str:
        return self.ready_url or self.url
