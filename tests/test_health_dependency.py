"""Stopping a dependency: readiness must go 503 and come back, liveness must hold."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pytest_readiness.checks.health.dependency import DependencyFault, exercise
from pytest_readiness.checks.health.probe import Answer, Prober, Timeouts
from pytest_readiness.checks.health.problem import Problem
from pytest_readiness.resilience.faults import Close, Hang, Reset, Respond, Script
from pytest_readiness.resilience.server import FaultServer
from pytest_readiness.runner import Service, free_port
from tests.health_servers import LeakGuard, refuses, script_command


def _succeeded(answer: Answer) -> bool:
    return answer.succeeded


def _fault_service(guard: LeakGuard, *service_arguments: str) -> list[Problem]:
    """Run a purpose-built service against a stand-in dependency and fault the dependency."""
    port, dependency_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    fault = DependencyFault(
        readiness_url=f"{base}/readyz",
        liveness_url=f"{base}/healthz",
        down_status=(503,),
        port=dependency_port,
        reaction_timeout_s=0.5,
    )
    dependency_url = f"http://127.0.0.1:{dependency_port}/"
    service_argv = script_command("--port", str(port), "--dependency-url", dependency_url)
    with (
        Prober(Timeouts(connect_s=3, read_s=3)) as prober,
        Service(
            script_command("--port", str(dependency_port)), cwd=Path.cwd(), env=guard.env
        ) as dependency,
    ):
        dependency.wait_until_accepting(dependency_port, timeout_s=10)
        with Service([*service_argv, *service_arguments], cwd=Path.cwd(), env=guard.env) as svc:
            svc.wait_until_ready(lambda: prober.probe(fault.readiness_url), _succeeded, 10)
            problems = exercise(fault, dependency, prober, _succeeded)
            assert refuses(dependency_port), "the dependency is left stopped"
    return problems


def test_a_well_behaved_service_has_no_problem(guard: LeakGuard) -> None:
    assert _fault_service(guard) == []


def test_readiness_that_ignores_the_dependency(guard: LeakGuard) -> None:
    (problem,) = _fault_service(guard, "--readiness", "ignores")
    assert problem.rule == "ready-while-dependency-down"
    assert "answers HTTP 200 while its dependency is down; expected 503" in problem.message


def test_liveness_that_checks_the_dependency(guard: LeakGuard) -> None:
    (problem,) = _fault_service(guard, "--liveness-checks-dependency")
    assert problem.rule == "liveness-depends-on-dependency"
    assert "HTTP 503" in problem.message


def test_readiness_that_never_recovers(guard: LeakGuard) -> None:
    (problem,) = _fault_service(guard, "--readiness", "latches")
    assert problem.rule == "readiness-not-recovered"
    assert "still answers HTTP 503 0.5 s after its dependency came back" in problem.message


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
