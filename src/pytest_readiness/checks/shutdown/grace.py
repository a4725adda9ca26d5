"""The time a shutdown is held to: the entry's, or the manifest's grace period less its preStop.

The kubelet runs a container's preStop hook, then sends SIGTERM, and sends SIGKILL when
`terminationGracePeriodSeconds` (30 s when the pod spec does not say) have passed since the hook
began; it gives at least 2 s after SIGTERM whatever the hook took ("Termination of Pods"). So a
preStop sleep comes out of the time the process has. A workload of the project's manifests
that serves (not a Job) gives the figures; when several give different ones the entry must name
its `workload`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_readiness.check import CheckContext, CheckError
from pytest_readiness.checks.operations import manifests
from pytest_readiness.checks.operations.termination import (
    DEFAULT_GRACE_PERIOD_S,
    MINIMUM_AFTER_SIGTERM_S,
    grace_period_seconds,
    pre_stop_seconds,
)
from pytest_readiness.checks.shutdown.settings import ShutdownEntry
from pytest_readiness.reading import read_text

RUN_TO_COMPLETION = frozenset({"Job", "CronJob"})


@dataclass(frozen=True)
class GracePeriod:
    seconds: float
    source: str
    """Where the figure comes from, for the finding's message."""
    pre_stop_s: float = 0.0
    """The preStop sleep that runs before SIGTERM, inside the grace period."""
    minimum_s: float = 0.0
    """The kubelet's floor after SIGTERM (a manifest's figure); none for `grace_period_s`."""

    @property
    def after_sigterm_s(self) -> float:
        """What the process has from SIGTERM to SIGKILL."""
        return max(self.seconds - self.pre_stop_s, self.minimum_s)

    def describe(self) -> str:
        """`grace 30 s, Deployment api` or `grace 30 s less 5 s preStop, Deployment api`."""
        less = f" less {self.pre_stop_s:g} s preStop" if self.pre_stop_s else ""
        return f"grace {self.seconds:g} s{less}, {self.source}"


def grace_period(ctx: CheckContext, entry: ShutdownEntry) -> GracePeriod:
    if entry.grace_period_s is not None:
        return GracePeriod(entry.grace_period_s, "grace_period_s")
    found = _manifest_grace_periods(ctx)
    if entry.workload:
        chosen = {where: value for where, value in found.items() if where[1] == entry.workload}
        if not chosen:
            raise CheckError(
                f"no serving workload named {entry.workload!r} in the Kubernetes manifests "
                f"(shutdown.workload of entry {entry.name!r})"
            )
        found = chosen
    values = set(found.values())
    if len(values) > 1:
        listed = ", ".join(
            f"{kind} {name} ({_figures(value)})" for (kind, name), value in found.items()
        )
        raise CheckError(
            f"the manifests' workloads have different grace periods: {listed}; name the one "
            f"this service runs as in `workload` (entry {entry.name!r})"
        )
    if not values:
        return GracePeriod(
            DEFAULT_GRACE_PERIOD_S,
            "the Kubernetes default; no manifest",
            0.0,
            MINIMUM_AFTER_SIGTERM_S,
        )
    ((kind, name), (seconds, pre_stop)), *_ = found.items()
    return GracePeriod(seconds, f"{kind} {name}", pre_stop, MINIMUM_AFTER_SIGTERM_S)


def _figures(value: tuple[float, float]) -> str:
    seconds, pre_stop = value
    return f"{seconds:g} s" + (f", preStop {pre_stop:g} s" if pre_stop else "")


def _manifest_grace_periods(ctx: CheckContext) -> dict[tuple[str, str], tuple[float, float]]:
    """(kind, name) -> grace period and longest preStop sleep of each serving workload (which
    container runs the service is not known, so the longest sleep is the cautious figure);
    unreadable files are skipped here (the `kubernetes` check reports them)."""
    found: dict[tuple[str, str], tuple[float, float]] = {}
    for file in manifests.candidate_files(ctx.files):
        try:
            text = read_text(file)
            if manifests.is_helm_template(text):
                continue
            documents = manifests.load_documents(text)
        except (OSError, UnicodeDecodeError, manifests.ManifestError):
            continue
        for workload in manifests.workloads(documents):
            seconds = grace_period_seconds(workload.pod_spec)
            if workload.kind in RUN_TO_COMPLETION or not seconds:
                continue
            sleeps = [pre_stop_seconds(container) or 0.0 for container in workload.containers()]
            found[(workload.kind, workload.name)] = (seconds, max(sleeps, default=0.0))
    return found
