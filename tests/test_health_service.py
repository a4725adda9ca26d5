"""The service runner: free ports, placeholders, start, wait until ready, always stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness import runner as service_module
from pytest_readiness.checks.health.probe import Prober, Timeouts
from pytest_readiness.runner import (
    Placeholders,
    PortConflict,
    Service,
    StartupError,
    accepts_connections,
    free_port,
)
from tests.health_servers import LeakGuard, refuses, script_command, serve_in_thread


def _service(guard: LeakGuard, *arguments: str) -> Service:
    return Service(script_command(*arguments), cwd=Path.cwd(), env=guard.env)


def test_free_port_is_free_and_on_loopback() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    assert refuses(port)


def test_placeholders_fill_split_and_unfill() -> None:
    placeholders = Placeholders(port=4100, dependency_port=4200, python="/opt/my python/bin/py")
    argv = placeholders.argv(
        "{python} -m app --port {port} --dep http://127.0.0.1:{dependency_port}/"
    )
    assert argv == [
        "/opt/my python/bin/py",
        "-m",
        "app",
        "--port",
        "4100",
        "--dep",
        "http://127.0.0.1:4200/",
    ]
    url = placeholders.fill("http://127.0.0.1:{port}/healthz")
    assert url == "http://127.0.0.1:4100/healthz"
    assert (
        placeholders.unfill(f"{url} and :4200")
        == "http://127.0.0.1:{port}/healthz and :{dependency_port}"
    )


def test_service_becomes_ready_and_stops_with_its_port(guard: LeakGuard) -> None:
    port = free_port()
    with Prober() as prober, _service(guard, "--port", str(port)) as service:
        startup_ms = service.wait_until_ready(
            lambda: prober.probe(f"http://127.0.0.1:{port}/healthz"),
            lambda answer: answer.status == 200,
            timeout_s=10,
        )
        assert 0 < startup_ms < 10_000
        assert accepts_connections(port)
    assert refuses(port)


def test_crash_on_start_reports_exit_status_and_last_output(guard: LeakGuard) -> None:
    port = free_port()
    with (
        Prober() as prober,
        _service(guard, "--port", str(port), "--crash") as service,
        pytest.raises(StartupError) as raised,
    ):
        service.wait_until_ready(
            lambda: prober.probe(f"http://127.0.0.1:{port}/"),
            lambda answer: answer.answered,
            timeout_s=10,
        )
    assert raised.value.exited
    assert "exited with status 3" in raised.value.reason
    assert raised.value.output_tail.splitlines() == [
        f"starting on port {port}",
        "ConfigError: DATABASE_URL is not set",
    ]


@pytest.mark.parametrize(
    ("arguments", "timeout_s", "last"),
    [
        (("--never-listen",), 0.6, "never accepted a connection"),
        (("--status", "503"), 2.0, "its last answer was HTTP 503"),
    ],
)
def test_never_ready_times_out_and_is_stopped(
    guard: LeakGuard, arguments: tuple[str, ...], timeout_s: float, last: str
) -> None:
    port = free_port()
    started = time.monotonic()
    with (
        Prober(Timeouts(connect_s=0.2, read_s=0.2)) as prober,
        _service(guard, "--port", str(port), *arguments) as service,
        pytest.raises(StartupError) as raised,
    ):
        service.wait_until_ready(
            lambda: prober.probe(f"http://127.0.0.1:{port}/"),
            lambda answer: answer.status == 200,
            timeout_s=timeout_s,
        )
    assert timeout_s <= time.monotonic() - started < timeout_s + 5
    assert not raised.value.exited
    assert f"not ready within {timeout_s:g} s" in raised.value.reason
    assert last in raised.value.reason
    assert refuses(port)


def test_stop_kills_the_whole_process_group(guard: LeakGuard) -> None:
    port = free_port()
    service = _service(guard, "--port", str(port), "--spawn-child")
    with service:
        service.wait_until_accepting(port, timeout_s=10)
        pgid = service.pid
        assert pgid is not None
        assert len(guard.survivors()) == 2
    assert not service_module._has_live_members(pgid)
    assert guard.survivors() == []


def test_a_service_ignoring_sigterm_is_killed_after_the_grace_period(
    guard: LeakGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_module, "STOP_GRACE_S", 0.2)
    port = free_port()
    with _service(guard, "--port", str(port), "--ignore-sigterm") as service:
        service.wait_until_accepting(port, timeout_s=10)
        started = time.monotonic()
    assert 0.2 <= time.monotonic() - started < 2
    assert refuses(port)


def test_keyboard_interrupt_still_stops_the_service(guard: LeakGuard) -> None:
    port = free_port()
    service = _service(guard, "--port", str(port))

    def interrupted() -> None:
        with service:
            service.wait_until_accepting(port, timeout_s=10)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert refuses(port)


def test_interpreter_exit_stops_a_service_left_running(guard: LeakGuard) -> None:
    port = free_port()
    service = _service(guard, "--port", str(port))
    service.start()
    service.wait_until_accepting(port, timeout_s=10)
    service_module._stop_all()
    assert refuses(port)
    assert guard.survivors() == []


def test_a_missing_program_is_a_startup_error(guard: LeakGuard) -> None:
    with pytest.raises(StartupError) as raised:
        Service(["/nonexistent/program"], cwd=Path.cwd(), env=guard.env).start()
    assert raised.value.exited
    assert "/nonexistent/program" in raised.value.reason


def test_dependency_that_never_listens_is_a_startup_error(guard: LeakGuard) -> None:
    port = free_port()
    with (
        _service(guard, "--port", str(port), "--never-listen") as service,
        pytest.raises(StartupError, match="not listening"),
    ):
        service.wait_until_accepting(port, timeout_s=0.3)


def test_stop_is_idempotent_and_safe_before_start(guard: LeakGuard) -> None:
    service = _service(guard, "--port", str(free_port()), "--never-listen")
    service.stop()
    service.start()
    assert len(guard.survivors()) == 1
    service.stop()
    service.stop()
    assert guard.survivors() == []


def test_a_port_answered_before_the_start_is_a_conflict_naming_the_holder(
    guard: LeakGuard,
) -> None:
    with serve_in_thread() as other:
        port = other.server_address[1]
        service = Service(
            script_command("--port", str(port)), cwd=Path.cwd(), env=guard.env, port=port
        )
        with pytest.raises(PortConflict) as raised:
            service.start()
    assert f"port {port} already answers before the service started" in raised.value.reason
    assert f"pid {os.getpid()} (" in raised.value.reason
    assert service.pid is None
    assert guard.survivors() == []


def test_a_command_dying_of_address_in_use_is_a_conflict(guard: LeakGuard) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        service = Service(
            script_command("--port", str(port)), cwd=Path.cwd(), env=guard.env, port=port
        )
        with Prober() as prober, service, pytest.raises(PortConflict) as raised:
            service.wait_until_ready(
                lambda: prober.probe(f"http://127.0.0.1:{port}/"),
                lambda answer: answer.status == 200,
                timeout_s=10,
            )
    assert raised.value.exited
    assert f"port {port} is already in use" in raised.value.reason
    assert "Address already in use" in raised.value.output_tail


def test_ctrl_c_while_the_process_is_being_started_leaves_nothing(
    guard: LeakGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C between fork and registration is held back, then stops the new process."""
    real_popen = subprocess.Popen

    def interrupted_popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process = real_popen(*args, **kwargs)
        signal.raise_signal(signal.SIGINT)
        return process

    monkeypatch.setattr(subprocess, "Popen", interrupted_popen)
    service = _service(guard, "--port", str(free_port()), "--never-listen")
    with pytest.raises(KeyboardInterrupt):
        service.start()
    assert service.pid is None
    assert guard.survivors() == []
