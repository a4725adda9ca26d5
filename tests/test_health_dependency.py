"""Faulting a dependency: readiness must go 503 in time and come back, liveness must hold.

Real processes throughout: a purpose-built service (`tests/health_servers.py`), a stand-in
dependency, and a `FaultProxy` between them for the `slow` and `black-hole` faults.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pytest_readiness.checks.health.dependency import DependencyProbes, exercise
from pytest_readiness.checks.health.dependency_faults import (
    DependencyFault,
    StandInStopped,
    proxy_fault,
)
from pytest_readiness.checks.health.probe import Answer, Prober, Timeouts
from pytest_readiness.checks.health.problem import Problem
from pytest_readiness.resilience.faults import Close, Hang, Reset, Respond, Script
from pytest_readiness.resilience.proxy import FaultProxy
from pytest_readiness.resilience.server import FaultServer
from pytest_readiness.runner import Service, accepts_connections, free_port
from tests.health_servers import LeakGuard, script_command

PROBE_TIMEOUT_S = 1.0
SLOW_S = 1.5
"""Above the probe timeout, so that a service waiting for the answer misses the probe."""
ALL_FAULTS = ("down", "slow", "black-hole")


def _succeeded(answer: Answer) -> bool:
    return answer.succeeded


@contextmanager
def _stand_in(guard: LeakGuard) -> Iterator[tuple[Service, int, FaultProxy]]:
    """A running stand-in dependency and a proxy in front of it, both ended afterwards."""
    port = free_port()
    argv = script_command("--port", str(port))
    with Service(argv, cwd=Path.cwd(), env=guard.env, port=port) as stand_in:
        stand_in.wait_until_accepting(port, timeout_s=10)
        with FaultProxy(("127.0.0.1", port)) as proxy:
            yield stand_in, port, proxy


def _fault_service(
    guard: LeakGuard, *service_arguments: str, faults: tuple[str, ...] = ("down",)
) -> list[Problem]:
    """Run a purpose-built service against a proxied stand-in and fault the dependency."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    probes = DependencyProbes(
        readiness_url=f"{base}/readyz",
        liveness_url=f"{base}/healthz",
        down_status=(503,),
        reaction_timeout_s=0.5,
    )
    with (
        Prober(Timeouts(connect_s=3, read_s=PROBE_TIMEOUT_S)) as prober,
        _stand_in(guard) as (stand_in, stand_in_port, proxy),
    ):
        dependency_url = f"http://127.0.0.1:{proxy.port}/"
        argv = script_command("--port", str(port), "--dependency-url", dependency_url)
        by_name: dict[str, DependencyFault] = {
            "down": StandInStopped(stand_in, stand_in_port, restart_timeout_s=10),
            "slow": proxy_fault(proxy, "slow", SLOW_S),
            "black-hole": proxy_fault(proxy, "black-hole", SLOW_S),
        }
        with Service([*argv, *service_arguments], cwd=Path.cwd(), env=guard.env) as svc:
            svc.wait_until_ready(lambda: prober.probe(probes.readiness_url), _succeeded, 10)
            problems = exercise(probes, [by_name[name] for name in faults], prober, _succeeded)
            assert accepts_connections(stand_in_port), "every fault is lifted"
            assert proxy.toxics == ()
    return problems


def test_a_well_behaved_service_has_no_problem_with_any_fault(guard: LeakGuard) -> None:
    assert _fault_service(guard, faults=ALL_FAULTS) == []


def test_readiness_that_calls_the_dependency_without_a_timeout_hangs(guard: LeakGuard) -> None:
    problems = _fault_service(guard, "--dependency-timeout-s", "0", faults=ALL_FAULTS)
    assert [problem.rule for problem in problems] == ["readiness-hangs-with-dependency"] * 2
    slow, black_hole = problems
    assert (
        'gave no answer within 1 s while its dependency is slow (fault "slow": every answer held '
        "1.5 s): the readiness check waits on the dependency longer than the probe does"
    ) in slow.message
    assert 'fault "black-hole": requests accepted, never answered' in black_hole.message
    assert (slow.key or "").endswith("/readyz (slow)")
    assert (black_hole.key or "").endswith("/readyz (black-hole)")


def test_a_dependency_timeout_longer_than_the_probe_hangs_too(guard: LeakGuard) -> None:
    """1.2 s is a timeout, but the kubelet gave up after 1 s: still the finding."""
    (problem,) = _fault_service(guard, "--dependency-timeout-s", "1.2", faults=("black-hole",))
    assert problem.rule == "readiness-hangs-with-dependency"


def test_liveness_that_checks_the_dependency(guard: LeakGuard) -> None:
    problems = _fault_service(
        guard, "--liveness-checks-dependency", "--dependency-timeout-s", "0.2", faults=ALL_FAULTS
    )
    assert [problem.rule for problem in problems] == ["liveness-depends-on-dependency"] * 3
    down, slow, black_hole = (problem.message for problem in problems)
    assert "answers HTTP 503 while its dependency is down: the orchestrator" in down
    assert 'HTTP 503 while its dependency is slow (fault "slow"' in slow
    assert 'HTTP 503 while its dependency is silent (fault "black-hole"' in black_hole


def test_readiness_that_ignores_the_dependency(guard: LeakGuard) -> None:
    problems = _fault_service(guard, "--readiness", "ignores", faults=("down", "black-hole"))
    assert [problem.rule for problem in problems] == ["ready-while-dependency-down"] * 2
    down, black_hole = (problem.message for problem in problems)
    assert "answers HTTP 200 while its dependency is down; expected 503" in down
    assert 'HTTP 200 while its dependency is silent (fault "black-hole": ' in black_hole


def test_readiness_that_never_recovers(guard: LeakGuard) -> None:
    (problem,) = _fault_service(guard, "--readiness", "latches", faults=("slow",))
    assert problem.rule == "readiness-not-recovered"
    assert problem.message.endswith(
        'still answers HTTP 503 0.5 s after its dependency came back (fault "slow" cleared)'
    )


def test_readiness_that_never_recovers_from_a_restart(guard: LeakGuard) -> None:
    (problem,) = _fault_service(guard, "--readiness", "latches")
    assert problem.rule == "readiness-not-recovered"
    assert "0.5 s after its dependency came back (the stand-in restarted)" in problem.message
    assert problem.key == problem.message.split()[0], "down keeps the URL alone as its key"


EXAMPLE_SOURCE = Path(__file__).resolve().parents[1] / "examples" / "service" / "src"


@pytest.mark.parametrize(
    "fault",
    [Respond(status=503), Respond(status=200, delay=2.0), Hang(), Reset(), Close()],
    ids=str,
)
def test_example_service_with_the_fault_server_as_its_supplier(
    guard: LeakGuard, fault: Respond | Hang | Reset | Close
) -> None:
    """Readiness follows the supplier within one probe timeout; liveness ignores it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with FaultServer() as supplier, Prober() as prober:
        argv = [sys.executable, "-m", "example_service", "--port", str(port)]
        env = {**guard.env, "PYTHONPATH": str(EXAMPLE_SOURCE), "SUPPLIER_URL": supplier.url}
        with Service(argv, cwd=Path.cwd(), env=env) as service:
            service.wait_until_ready(lambda: prober.probe(f"{base}/readyz"), _succeeded, 10)
            supplier.reset(Script(fault))
            down = prober.probe(f"{base}/readyz")
            live = prober.probe(f"{base}/healthz")
            supplier.reset(Script(Respond()))
            back = prober.probe(f"{base}/readyz")
    assert (down.status, down.json()["status"]) == (503, "fail")
    assert live.status == 200
    assert back.status == 200
