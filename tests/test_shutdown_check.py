"""`ShutdownCheck.run` on real services receiving a real SIGTERM during real requests."""

from __future__ import annotations

import json
import shlex
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.shutdown import ShutdownCheck
from pytest_readiness.checks.shutdown.grace import grace_period
from pytest_readiness.checks.shutdown.settings import ShutdownEntry
from pytest_readiness.checks.shutdown.traffic import Exchange
from pytest_readiness.checks.shutdown.trial import Outcome
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult
from pytest_readiness.settings import SettingsError, load
from tests.health_servers import (
    MARKER_VARIABLE,
    SCRIPT,
    LeakGuard,
    closed_port,
    serve_in_thread,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "service"
SLOW = f"{{python}} {shlex.quote(str(SCRIPT))} --port {{port}} --slow-path /slow --delay-ms 400"


def _run(entry: ShutdownEntry, rootdir: Path) -> CheckResult:
    (check,) = ShutdownCheck.instances([entry])
    ctx = CheckContext(rootdir=rootdir, files=ProjectFiles(rootdir), cache=ContentCache(None))
    return check.run(ctx)


def _entry(guard: LeakGuard, server_arguments: str, **settings: Any) -> ShutdownEntry:
    settings.setdefault("grace_period_s", 5.0)
    settings.setdefault("max_wait_s", 6.0)
    settings.setdefault("drain_s", 1.0)
    settings.setdefault("in_flight", 4)
    return ShutdownEntry(
        name="svc",
        command=f"{SLOW} {server_arguments}",
        url="http://127.0.0.1:{port}/slow",
        ready_url="http://127.0.0.1:{port}/healthz",
        env=guard.env,
        **settings,
    )


def _rules(result: CheckResult) -> list[str]:
    return [finding.rule for finding in result.findings]


def test_a_graceful_service_passes_with_its_figures(guard: LeakGuard) -> None:
    result = _run(_entry(guard, "--graceful"), Path.cwd())
    assert _rules(result) == [], result.findings
    assert result.metrics["in_flight_at_sigterm"] == 4
    assert result.metrics["dropped"] == 0
    assert result.metrics["exit_code"] == 0
    assert 0 < result.metrics["drain_ms"] < 3000
    assert result.summary.startswith(
        "SIGTERM with 4 request(s) in flight (0 not yet accepted): 4 of 4 answered; exited"
    )


def test_dying_at_once_drops_the_requests_in_flight(guard: LeakGuard) -> None:
    result = _run(_entry(guard, ""), Path.cwd())
    assert _rules(result) == ["dropped-in-flight"]
    (finding,) = result.findings
    assert "4 of 4 request(s) accepted before SIGTERM got no good answer" in finding.message
    assert result.metrics["exit_code"] == -15
    assert result.metrics["dropped"] == 4


def test_ignoring_sigterm_is_still_ready_slow_and_killed(guard: LeakGuard) -> None:
    entry = _entry(guard, "--ignore-sigterm", grace_period_s=1.0, max_wait_s=1.5, drain_s=0.3)
    result = _run(entry, Path.cwd())
    assert _rules(result) == ["still-ready-after-sigterm", "slow-shutdown", "ignores-sigterm"]
    assert result.metrics["exit_code"] == -9
    assert result.metrics["dropped"] == 0
    messages = " ".join(finding.message for finding in result.findings)
    assert "still running 1.5 s after SIGTERM; the grace period is 1 s (grace_period_s)" in messages


def test_serving_on_as_ready_past_the_drain(guard: LeakGuard) -> None:
    entry = _entry(guard, "--graceful --keep-serving-ms 1500", drain_s=0.5)
    result = _run(entry, Path.cwd())
    assert _rules(result) == ["still-ready-after-sigterm"]
    assert "after the 0.5 s drain (drain_s)" in result.findings[0].message
    assert result.metrics["exit_code"] == 0


def test_exiting_after_the_grace_period_is_slow(guard: LeakGuard) -> None:
    entry = _entry(guard, "--graceful --exit-delay-ms 1500", grace_period_s=0.8)
    result = _run(entry, Path.cwd())
    assert _rules(result) == ["slow-shutdown"]
    assert "the grace period is 0.8 s" in result.findings[0].message
    assert result.metrics["drain_ms"] >= 1500


def test_a_cap_below_the_grace_period_reports_only_the_kill(guard: LeakGuard) -> None:
    entry = _entry(guard, "--ignore-sigterm", grace_period_s=30.0, max_wait_s=1.0, drain_s=5.0)
    assert _rules(_run(entry, Path.cwd())) == ["ignores-sigterm"]


def _manifest_project(tmp_path: Path, *grace_periods: int, pre_stop: str = "") -> Path:
    """Deployments with these grace periods; `pre_stop` is the containers' preStop hook."""
    lifecycle = f", lifecycle: {{preStop: {pre_stop}}}" if pre_stop else ""
    documents = [
        textwrap.dedent(
            f"""\
            apiVersion: apps/v1
            kind: Deployment
            metadata: {{name: api-{index}}}
            spec:
              template:
                spec:
                  terminationGracePeriodSeconds: {seconds}
                  containers: [{{name: api, image: "api:1.0"{lifecycle}}}]
            """
        )
        for index, seconds in enumerate(grace_periods)
    ]
    (tmp_path / "deploy.yaml").write_text("---\n".join(documents))
    return tmp_path


def _late_exit(guard: LeakGuard, project: Path) -> CheckResult:
    """A graceful service that exits 2.5 s after SIGTERM, held to the manifest's figures."""
    entry = _entry(
        guard, "--graceful --exit-delay-ms 2500", grace_period_s=None, cwd=str(Path.cwd())
    )
    return _run(entry, project)


def _slow(result: CheckResult) -> list[str]:
    # A starved machine may also drop a request at the late exit; the budget is the point here.
    return [finding.message for finding in result.findings if finding.rule == "slow-shutdown"]


def test_the_grace_period_comes_from_the_manifest(guard: LeakGuard, tmp_path: Path) -> None:
    result = _late_exit(guard, _manifest_project(tmp_path, 4))
    assert _slow(result) == []
    assert result.metrics["grace_s"] == 4
    assert result.metrics["pre_stop_s"] == 0
    assert result.summary.endswith("(grace 4 s, Deployment api-0)")


def test_the_prestop_sleep_comes_out_of_the_grace_period(guard: LeakGuard, tmp_path: Path) -> None:
    """Grace 4 s, preStop 2 s: 2 s from SIGTERM to SIGKILL, too short for a 2.5 s drain."""
    project = _manifest_project(tmp_path, 4, pre_stop='{exec: {command: ["sleep", "2"]}}')
    result = _late_exit(guard, project)
    (message,) = _slow(result)
    assert (
        "the grace period is 4 s (Deployment api-0) and its 2 s preStop sleep runs first, "
        "leaving 2 s after SIGTERM, after which Kubernetes sends SIGKILL"
    ) in message
    assert result.metrics["pre_stop_s"] == 2
    assert result.summary.endswith("(grace 4 s less 2 s preStop, Deployment api-0)")


def test_the_kubelet_leaves_two_seconds_after_a_long_prestop(tmp_path: Path) -> None:
    project = _manifest_project(tmp_path, 10, pre_stop="{sleep: {seconds: 30}}")
    ctx = CheckContext(rootdir=project, files=ProjectFiles(project), cache=ContentCache(None))
    entry = ShutdownEntry(name="a", command="x", url="http://127.0.0.1:1/")
    grace = grace_period(ctx, entry)
    assert (grace.seconds, grace.pre_stop_s, grace.after_sigterm_s) == (10, 30, 2)
    entry.grace_period_s = 0.5
    assert grace_period(ctx, entry).after_sigterm_s == 0.5


def test_different_grace_periods_need_a_named_workload(guard: LeakGuard, tmp_path: Path) -> None:
    project = _manifest_project(tmp_path, 1, 60)
    entry = _entry(guard, "--graceful", grace_period_s=None)
    with pytest.raises(CheckError, match=r"api-0 \(1 s\), Deployment api-1 \(60 s\)"):
        _run(entry, project)
    entry.workload = "api-7"
    with pytest.raises(CheckError, match="no serving workload named 'api-7'"):
        _run(entry, project)


def test_traffic_failing_before_sigterm_is_a_check_error(guard: LeakGuard) -> None:
    entry = _entry(guard, "--graceful", in_flight_wait_s=0.3)
    entry.url = f"http://127.0.0.1:{closed_port()}/"
    with pytest.raises(CheckError, match=r"failed before any SIGTERM \(connection refused\)"):
        _run(entry, Path.cwd())


def test_a_service_never_ready_is_a_check_error(guard: LeakGuard) -> None:
    entry = _entry(guard, "--status 503", startup_timeout_s=3.0)
    with pytest.raises(CheckError, match=r"not ready within 3 s: its last answer was HTTP 503"):
        _run(entry, Path.cwd())


def test_failures_that_may_have_been_queued_are_set_aside() -> None:
    """Two connections still queued in the kernel at SIGTERM: two failures may be theirs."""
    exchanges = [
        Exchange(started_at=0.0, connected_at=0.1, ended_at=0.2, status=200),
        Exchange(started_at=0.0, connected_at=0.3, ended_at=2.0, status=200),
        Exchange(started_at=0.0, connected_at=0.4, ended_at=1.5, error="connection reset"),
        Exchange(started_at=0.0, connected_at=0.5, ended_at=1.5, error="connection reset"),
        Exchange(started_at=0.0, connected_at=0.6, ended_at=1.5, error="connection reset"),
        Exchange(started_at=0.0, connected_at=0.95, ended_at=1.5, error="connection reset"),
        Exchange(started_at=0.0, connected_at=1.2, ended_at=1.3, status=200),
    ]
    outcome = Outcome(
        sigterm_at=1.0,
        accepted_by=0.9,
        queued_at_sigterm=2,
        traffic=exchanges,
        readiness=[],
        exit_code=0,
        exited_after_s=0.5,
        stopped_after_s=0.5,
    )
    assert outcome.in_flight() == exchanges[1:6]
    assert outcome.known() == exchanges[1:5]
    assert outcome.owed() == 2
    assert outcome.dropped() == 1


def test_a_port_held_by_another_process_is_a_check_error(guard: LeakGuard) -> None:
    with serve_in_thread() as other:
        port = other.server_address[1]
        entry = _entry(guard, "--graceful")
        entry.url = f"http://127.0.0.1:{port}/slow"
        entry.ready_url = ""
        with pytest.raises(CheckError, match=f"port {port} already answers"):
            _run(entry, Path.cwd())


def test_no_entry_skips_and_names_must_be_unique() -> None:
    (check,) = ShutdownCheck.instances([])
    ctx = CheckContext(rootdir=Path.cwd(), files=ProjectFiles(Path.cwd()), cache=ContentCache(None))
    with pytest.raises(CheckSkipped, match=r"no \[\[tool.readiness.shutdown\]\] entry"):
        check.run(ctx)
    entries = [ShutdownEntry(name="a", command="x", url="http://127.0.0.1:1/")] * 2
    with pytest.raises(SettingsError, match="repeated: a"):
        ShutdownCheck.instances(entries)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"url": "https://127.0.0.1/"}, "must start with http://"),
        ({"command": " "}, "command must start the service"),
        ({"concurrency": 0}, "concurrency must be at least 1"),
        ({"max_wait_s": 0}, "max_wait_s must be greater than 0"),
        ({"grace_period_s": 0}, "grace_period_s must be greater than 0"),
    ],
)
def test_bad_settings_are_named(raw: dict[str, Any], problem: str) -> None:
    table = {"name": "api", "command": "serve", "url": "http://127.0.0.1:{port}/", **raw}
    with pytest.raises(SettingsError, match=problem):
        load(list[ShutdownEntry], [table], "tool.readiness.shutdown")


def test_the_example_service_shuts_down_gracefully(guard: LeakGuard) -> None:
    config = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())
    entries = load(
        list[ShutdownEntry], config["tool"]["readiness"]["shutdown"], "tool.readiness.shutdown"
    )
    assert entries
    for entry in entries:
        entry.env = {**entry.env, **guard.env}
        result = _run(entry, EXAMPLE)
        assert _rules(result) == [], result.findings
        assert result.metrics["in_flight_at_sigterm"] >= 1
        assert result.metrics["exit_code"] == 0


def test_gate_runs_the_check_and_reports_its_metrics(
    pytester: pytest.Pytester, guard: LeakGuard
) -> None:
    env = f'env = {{ {MARKER_VARIABLE} = "{guard.marker}" }}'
    pytester.makepyprojecttoml(
        f"""
        [[tool.readiness.shutdown]]
        name = "graceful"
        command = "{SLOW} --graceful"
        url = "http://127.0.0.1:{{port}}/slow"
        ready_url = "http://127.0.0.1:{{port}}/healthz"
        {env}

        [[tool.readiness.shutdown]]
        name = "abrupt"
        command = "{SLOW}"
        url = "http://127.0.0.1:{{port}}/slow"
        {env}
        """
    )
    result = pytester.runpytest(
        "--readiness-only", "--readiness-select", "shutdown", "--readiness-report", "r.json"
    )
    assert result.ret == 1
    report = json.loads((pytester.path / "r.json").read_text())
    checks = {check["nodeid"].split("::")[-1]: check for check in report["checks"]}
    assert checks["shutdown[graceful]"]["outcome"] == "passed"
    assert {"drain_ms", "in_flight_at_sigterm", "exit_code"} <= set(
        checks["shutdown[graceful]"]["metrics"]
    )
    assert [f["rule"] for f in checks["shutdown[abrupt]"]["findings"]] == ["dropped-in-flight"]
    assert report["verdict"] == "not-ready"
