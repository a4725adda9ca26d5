"""The grace period a shutdown is held to: the entry's, the manifest's, or Kubernetes' 30 s.

The kubelet sends SIGTERM, waits `terminationGracePeriodSeconds` (30 s when the pod spec does
not say), then sends SIGKILL. A workload of the project's manifests that serves (not a Job)
gives the figure; when several give different figures the entry must name its `workload`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_readiness.check import CheckContext, CheckError
from pytest_readiness.checks.operations import manifests
from pytest_readiness.checks.shutdown.settings import DEFAULT_GRACE_PERIOD_S, ShutdownEntry
from pytest_readiness.reading import read_text

RUN_TO_COMPLETION = frozenset({"Job", "CronJob"})
GRACE_KEY = "terminationGracePeriodSeconds"


@dataclass(frozen=True)
class GracePeriod:
    seconds: float
    source: str
    """Where the figure comes from, for the finding's message."""


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
        listed = ", ".join(f"{kind} {name} ({value:g} s)" for (kind, name), value in found.items())
        raise CheckError(
            f"the manifests' workloads have different grace periods: {listed}; name the one "
            f"this service runs as in `workload` (entry {entry.name!r})"
        )
    if not values:
        return GracePeriod(DEFAULT_GRACE_PERIOD_S, "the Kubernetes default; no manifest")
    ((kind, name), value), *_ = found.items()
    return GracePeriod(value, f"{kind} {name}")


def _manifest_grace_periods(ctx: CheckContext) -> dict[tuple[str, str], float]:
    """(kind, name) -> grace period of each serving workload; unreadable files are skipped
    here (the `kubernetes` check reports them)."""
    found: dict[tuple[str, str], float] = {}
    for file in manifests.candidate_files(ctx.files):
        try:
            text = read_text(file)
            if manifests.is_helm_template(text):
                continue
            documents = manifests.load_documents(text)
        except (OSError, UnicodeDecodeError, manifests.ManifestError):
            continue
        for workload in manifests.workloads(documents):
            if workload.kind in RUN_TO_COMPLETION:
                continue
            value = workload.pod_spec.get(GRACE_KEY, DEFAULT_GRACE_PERIOD_S)
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                found[(workload.kind, workload.name)] = float(value)
    return found
