"""Fault a dependency and see readiness fail while liveness holds, then see readiness recover.

Readiness that stays 200 while a dependency is down sends traffic to an instance that cannot
serve it; liveness that fails with a dependency makes the orchestrator restart every instance at
once (a restart storm) for a problem a restart does not fix; readiness that hangs while the
dependency hangs shows a call without a timeout, the one that exhausts the service's workers.
Each fault is real: the stand-in process stopped, or a proxy that delays or swallows its bytes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pytest_readiness.checks.health.dependency_faults import DependencyFault
from pytest_readiness.checks.health.probe import Answer, Prober
from pytest_readiness.checks.health.problem import Problem
from pytest_readiness.runner import POLL_INTERVAL_S

LIVENESS_PROBES = 3


@dataclass(frozen=True)
class DependencyProbes:
    """What to probe while the dependency is faulted, and what the answers must be."""

    readiness_url: str
    liveness_url: str
    down_status: tuple[int, ...]
    reaction_timeout_s: float
    """How long the service may take to notice the dependency left, or came back."""


def exercise(
    probes: DependencyProbes,
    faults: Sequence[DependencyFault],
    prober: Prober,
    ready: Callable[[Answer], bool],
) -> list[Problem]:
    """Apply each fault in turn, probe, lift it, probe; every fault is lifted before the next."""
    problems = []
    for fault in faults:
        fault.apply()
        problems += _while_faulted(probes, fault, prober)
        fault.lift()
        answer = _poll(prober, probes.readiness_url, ready, probes.reaction_timeout_s)
        if not ready(answer):
            problems.append(
                Problem(
                    "readiness-not-recovered",
                    f"{probes.readiness_url} still answers {answer.describe()} "
                    f"{probes.reaction_timeout_s:g} s after its dependency came back "
                    f"({fault.lifted})",
                    fix="re-check the dependency on each readiness probe, do not latch the failure",
                    key=_key(probes.readiness_url, fault),
                )
            )
    return problems


def _while_faulted(
    probes: DependencyProbes, fault: DependencyFault, prober: Prober
) -> list[Problem]:
    problems = [_readiness_problem(probes, fault, prober)]
    if probes.liveness_url:
        problems.append(_liveness_problem(probes, fault, prober))
    return [problem for problem in problems if problem is not None]


def _readiness_problem(
    probes: DependencyProbes, fault: DependencyFault, prober: Prober
) -> Problem | None:
    """Readiness must answer a down status within the reaction time, each probe in time."""
    url = probes.readiness_url
    answer = _poll(
        prober,
        url,
        lambda answer: answer.status in probes.down_status or answer.timed_out,
        probes.reaction_timeout_s,
    )
    if answer.timed_out:
        return Problem(
            "readiness-hangs-with-dependency",
            f"{url} gave {answer.describe()} while its dependency is {fault.condition}: "
            "the readiness check waits on the dependency longer than the probe does",
            fix="give every call to the dependency a timeout well under the probe's "
            "timeoutSeconds and answer 503 when it fires",
            key=_key(url, fault),
        )
    if answer.status not in probes.down_status:
        expected = " or ".join(str(code) for code in probes.down_status)
        return Problem(
            "ready-while-dependency-down",
            f"{url} answers {answer.describe()} while its dependency is {fault.condition}; "
            f"expected {expected}",
            fix="check the dependency in the readiness handler and answer 503 while it fails",
            key=_key(url, fault),
        )
    return None


def _liveness_problem(
    probes: DependencyProbes, fault: DependencyFault, prober: Prober
) -> Problem | None:
    url = probes.liveness_url
    answers = prober.series(url, LIVENESS_PROBES).answers
    failed = [answer for answer in answers if not answer.succeeded]
    if not failed:
        return None
    return Problem(
        "liveness-depends-on-dependency",
        f"{url} answers {failed[0].describe()} while its dependency is {fault.condition}: "
        "the orchestrator would restart every instance (a restart storm)",
        fix="keep dependency checks out of liveness; put them in readiness",
        key=_key(url, fault),
    )


def _key(url: str, fault: DependencyFault) -> str:
    """`down` keeps the URL alone as its key, so baselines made before the other faults hold."""
    return url if fault.name == "down" else f"{url} ({fault.name})"


def _poll(prober: Prober, url: str, wanted: Callable[[Answer], bool], timeout_s: float) -> Answer:
    """Probe until `wanted` holds or the timeout passes; returns the last answer."""
    deadline = time.monotonic() + timeout_s
    answer = prober.probe(url)
    while not wanted(answer) and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL_S)
        answer = prober.probe(url)
    return answer
