"""How long a container has to stop: its grace period and the preStop delay taken out of it.

The kubelet runs the preStop hook, then sends SIGTERM, and SIGKILLs when the grace period
(`terminationGracePeriodSeconds`, counted from the start of the hook) is over. The `kubernetes`
check judges the manifests' delays against their grace periods; the `shutdown` check reads
both to know how long the process really has after SIGTERM.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pytest_readiness.checks.operations.manifests import as_mapping
from pytest_readiness.model import Severity

DEFAULT_GRACE_PERIOD_S = 30.0
"""Kubernetes' default `terminationGracePeriodSeconds`."""
MINIMUM_AFTER_SIGTERM_S = 2.0
"""The kubelet gives a container at least this long after SIGTERM, even when the preStop hook
used up the grace period (`minimumGracePeriodInSeconds`)."""

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
_SHELL_SLEEP = re.compile(
    r"(?:^|[;&|(]|\bthen|\bdo)\s*(?:/\S*/)?sleep\s+(\d+(?:\.\d+)?)s?(?=$|[\s;&|)])"
)


def pre_stop_seconds(container: Mapping[str, Any]) -> float | None:
    """The delay a container's preStop hook makes before SIGTERM: `sleep.seconds`, or an exec of
    `sleep N` (also inside `sh -c "..."`); None when it makes none that can be read."""
    hook = as_mapping(as_mapping(container.get("lifecycle")).get("preStop"))
    seconds = as_mapping(hook.get("sleep")).get("seconds")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool):
        return float(seconds)
    command = as_mapping(hook.get("exec")).get("command")
    if not isinstance(command, list) or not command:
        return None
    words = [str(word) for word in command]
    program = words[0].rsplit("/", 1)[-1]
    if program in _SHELLS and len(words) >= 3 and words[1].startswith("-") and "c" in words[1]:
        found = _SHELL_SLEEP.search(words[2].strip())
        return float(found[1]) if found else None
    if program == "sleep" and len(words) == 2:
        found = _SHELL_SLEEP.search(" ".join(words))
        return float(found[1]) if found else None
    return None


def grace_period_seconds(pod_spec: Mapping[str, Any]) -> float | None:
    """`terminationGracePeriodSeconds`, 30 when absent; None when it is not a number."""
    value = pod_spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE_PERIOD_S)
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def termination_problem(
    container: Mapping[str, Any], grace: float | None
) -> tuple[str, str, Severity, str] | None:
    """Rule, message, severity and fix of a serving container's preStop delay, if it has one."""
    delay = pre_stop_seconds(container)
    if delay is None:
        return (
            "no-prestop-delay",
            "no preStop delay; SIGTERM comes while the pod is still being removed from its "
            "Services' endpoints, so new requests may still arrive after it stops listening",
            Severity.LOW,
            'add lifecycle.preStop.exec.command: ["sleep", "5"] (or preStop.sleep.seconds: 5) '
            "so endpoints are updated before SIGTERM",
        )
    if grace is not None and delay >= grace:
        return (
            "prestop-exceeds-grace",
            f"the preStop sleep of {delay:g} s uses up the {grace:g} s grace period "
            "(terminationGracePeriodSeconds), so the app gets only the kubelet's "
            f"{MINIMUM_AFTER_SIGTERM_S:g} s after SIGTERM before SIGKILL",
            Severity.MEDIUM,
            "raise terminationGracePeriodSeconds above the preStop sleep plus the drain time "
            "the shutdown check measures",
        )
    return None
