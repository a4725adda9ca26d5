"""Take a dependency away and see readiness fail while liveness holds, then bring it back.

Readiness that stays 200 while a dependency is down sends traffic to an instance that cannot
serve it; liveness that fails with a dependency makes the orchestrator restart every instance at
once (a restart storm) for a problem a restart does not fix. Both are checked by really stopping
the dependency's stand-in process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from pytest_readiness.checks.health.probe import Answer, Prober
from pytest_readiness.checks.health.problem import Problem
from pytest_readiness.runner import POLL_INTERVAL_S, Service

LIVENESS_PROBES = 3


@dataclass(frozen=True)
class DependencyFault:
    """How to fault the dependency and what the service must do meanwhile."""

    readiness_url: str
    liveness_url: str
    down_status: tuple[int, ...]
    port: int
    reaction_timeout_s: float
    """How long the service may take to notice the dependency left, or came back."""
    restart_timeout_s: float = 10.0
    """How long the stand-in may take to listen again: its start is not the service's delay."""


def exercise(
    fault: DependencyFault,
    dependency: Service,
    prober: Prober,
    ready: Callable[[Answer], bool],
) -> list[Problem]:
    """Stop `dependency`, probe, start it again, probe; the dependency is left stopped."""
    dependency.stop()
    problems = _while_down(fault, prober)
    revived = Service(dependency.argv, cwd=dependency.cwd, env=dependency.env, port=fault.port)
    with revived:
        revived.wait_until_accepting(fault.port, fault.restart_timeout_s)
        answer = _poll(prober, fault.readiness_url, ready, fault.reaction_timeout_s)
        if not ready(answer):
            problems.append(
                Problem(
                    "readiness-not-recovered",
                    f"{fault.readiness_url} still answers {answer.describe()} "
                    f"{fault.reaction_timeout_s:g} s after its dependency came back",
                    fix="re-check the dependency on each readiness probe, do not latch the failure",
                    key=fault.readiness_url,
                )
            )
    return problems


def _while_down(fault: DependencyFault, prober: Prober) -> list[Problem]:
    problems = []
    answer = _poll(
        prober,
        fault.readiness_url,
        lambda answer: answer.status in fault.down_status,
        fault.reaction_timeout_s,
    )
    if answer.status not in fault.down_status:
        expected = " or ".join(str(code) for code in fault.down_status)
        problems.append(
            Problem(
                "ready-while-dependency-down",
                f"{fault.readiness_url} answers {answer.describe()} while its dependency is down; "
                f"expected {expected}",
                fix="check the dependency in the readiness handler and answer 503 while it fails",
                key=fault.readiness_url,
            )
        )
    if fault.liveness_url:
        failed = [
            answer
            for answer in prober.series(fault.liveness_url, LIVENESS_PROBES).answers
            if not answer.succeeded
        ]
        if failed:
            problems.append(
                Problem(
                    "liveness-depends-on-dependency",
                    f"{fault.liveness_url} answers {failed[0].describe()} while a dependency "
                    "is down: the orchestrator would restart every instance (a restart storm)",
                    fix="keep dependency checks out of liveness; put them in readiness",
                    key=fault.liveness_url,
                )
            )
    return problems


def _poll(prober: Prober, url: str, wanted: Callable[[Answer], bool], timeout_s: float) -> Answer:
    """Probe until `wanted` holds or the timeout passes; returns the last answer."""
    deadline = time.monotonic() + timeout_s
    answer = prober.probe(url)
    while not wanted(answer) and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL_S)
        answer = prober.probe(url)
    return answer
