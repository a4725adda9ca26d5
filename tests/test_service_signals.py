"""A real pytest process, running `health` on a real service, stopped by real signals.

Each test starts pytest as a subprocess, waits until the service it started (marked by the
`LeakGuard` environment) answers, signals pytest the way CI, `timeout` or a user would, and then
asserts that no process of the service's group is left.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_readiness.runner import accepts_connections, free_port
from pytest_readiness.service_signals import SignalWatch
from tests.health_servers import MARKER_VARIABLE, SCRIPT, LeakGuard

WAIT_S = 20.0


def _wait_for(condition: object, what: str, timeout_s: float = WAIT_S) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _survivors_after_exit(guard: LeakGuard) -> list[int]:
    """SIGKILLed processes vanish within moments; anything older than a second survived."""
    deadline = time.monotonic() + 1.0
    while guard.survivors() and time.monotonic() < deadline:
        time.sleep(0.05)
    return guard.survivors()


def _pytest_running_a_service(
    pytester: pytest.Pytester, guard: LeakGuard, server_arguments: str, *pytest_arguments: str
) -> subprocess.Popen[bytes]:
    """pytest in the middle of a long `health` item whose service answers on a known port."""
    port = free_port()
    command = f"{{python}} {shlex.quote(str(SCRIPT))} --port {port} --delay-ms 50 "
    pytester.makepyprojecttoml(
        f"""
        [[tool.readiness.health]]
        name = "api"
        url = "http://127.0.0.1:{port}/"
        command = "{command}{server_arguments}"
        env = {{ {MARKER_VARIABLE} = "{guard.marker}" }}
        probes = 400
        """
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "--readiness-only",
            "--readiness-select",
            "health",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:hypothesispytest",
            *pytest_arguments,
        ],
        cwd=pytester.path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for(lambda: guard.survivors() and accepts_connections(port), "the service")
    except AssertionError:
        process.kill()
        process.wait()
        raise
    return process


def _ended(process: subprocess.Popen[bytes]) -> int:
    try:
        return process.wait(timeout=WAIT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise


@pytest.mark.parametrize(
    ("signum", "server_arguments"),
    [
        (signal.SIGTERM, ""),
        (signal.SIGTERM, "--spawn-child"),
        (signal.SIGHUP, "--spawn-child"),
        (signal.SIGINT, "--spawn-child"),
    ],
)
def test_a_signal_to_pytest_stops_the_service_and_its_children(
    pytester: pytest.Pytester, guard: LeakGuard, signum: signal.Signals, server_arguments: str
) -> None:
    process = _pytest_running_a_service(pytester, guard, server_arguments)
    started = len(guard.survivors())
    assert started == (2 if server_arguments else 1)
    process.send_signal(signum)
    status = _ended(process)
    assert _survivors_after_exit(guard) == []
    if signum == signal.SIGINT:
        assert status == pytest.ExitCode.INTERRUPTED
    else:
        assert status == -signum, "pytest must still end by the signal it was sent"


def test_sigterm_to_the_process_group_under_xdist_stops_the_service(
    pytester: pytest.Pytester, guard: LeakGuard
) -> None:
    process = _pytest_running_a_service(pytester, guard, "--spawn-child", "-n", "2")
    os.killpg(process.pid, signal.SIGTERM)
    _ended(process)
    assert _survivors_after_exit(guard) == []


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM])
def test_a_second_signal_during_the_grace_wait_kills_a_service_ignoring_sigterm(
    pytester: pytest.Pytester, guard: LeakGuard, tmp_path: Path, second: signal.Signals
) -> None:
    noted = tmp_path / "sigterm-seen"
    process = _pytest_running_a_service(
        pytester, guard, f"--spawn-child --note-sigterm {shlex.quote(str(noted))}"
    )
    process.send_signal(signal.SIGINT)
    _wait_for(noted.exists, "the service to be sent SIGTERM")
    started = time.monotonic()
    process.send_signal(second)
    _wait_for(lambda: not guard.survivors(), "the service to be killed", timeout_s=5)
    killed_after_s = time.monotonic() - started
    _ended(process)
    assert _survivors_after_exit(guard) == []
    assert killed_after_s < 2, "the second signal must cut the 3 s grace short"


def test_handlers_are_restored_when_the_last_service_stops() -> None:
    stopped: list[str] = []
    watch = SignalWatch(lambda: stopped.append("all"))

    def previous(signum: int, frame: object) -> None:
        stopped.append(f"previous {signum}")

    before = signal.signal(signal.SIGHUP, previous)
    try:
        watch.arm()
        assert watch.armed
        assert signal.getsignal(signal.SIGHUP) != previous
        signal.raise_signal(signal.SIGHUP)
        assert stopped == ["all", f"previous {signal.SIGHUP}"]
        assert signal.getsignal(signal.SIGHUP) == previous
        assert not watch.armed
    finally:
        signal.signal(signal.SIGHUP, before)


def test_signals_in_a_critical_block_arrive_after_it() -> None:
    watch = SignalWatch(lambda: None)
    order: list[str] = []
    with pytest.raises(KeyboardInterrupt), watch.critical():  # noqa: PT012 - order is the point
        signal.raise_signal(signal.SIGINT)
        order.append("block ended")
    assert order == ["block ended"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_ignored_signal_stays_ignored() -> None:
    """Under `nohup`, SIGHUP does not end pytest, so it must not stop the services either."""
    stopped: list[str] = []
    watch = SignalWatch(lambda: stopped.append("all"))
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        watch.arm()
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        signal.raise_signal(signal.SIGHUP)
        assert stopped == []
        watch.disarm()
    finally:
        signal.signal(signal.SIGHUP, before)
