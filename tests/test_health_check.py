"""`HealthCheck.run` end to end on real services: the example service and purpose-built ones."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.health.check import HealthCheck
from pytest_readiness.checks.health.settings import HealthEntry
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult, Severity, fingerprint
from pytest_readiness.settings import SettingsError, load
from tests.health_servers import (
    MARKER_VARIABLE,
    SCRIPT,
    Behaviour,
    LeakGuard,
    closed_port,
    refuses,
    serve_in_thread,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "service"
SERVER = f"{{python}} {shlex.quote(str(SCRIPT))} --port {{port}}"


def _run(entry: HealthEntry, rootdir: Path) -> CheckResult:
    (check,) = HealthCheck.instances([entry])
    ctx = CheckContext(rootdir=rootdir, files=ProjectFiles(rootdir), cache=ContentCache(None))
    result = check.run(ctx)
    if not entry.command:
        return result
    for port in re.findall(r"127\.0\.0\.1:(\d+)", result.summary + str(result.findings)):
        assert refuses(int(port)), f"port {port} is still open after the check"
    return result


def _entry(guard: LeakGuard, **settings: Any) -> HealthEntry:
    settings.setdefault("probes", 5)
    settings.setdefault("connect_timeout_s", 3.0)
    settings.setdefault("timeout_s", 3.0)
    return HealthEntry(name="svc", env=guard.env, **settings)


def _rules(result: CheckResult) -> list[str]:
    return [finding.rule for finding in result.findings]


def test_instances_are_one_item_per_entry() -> None:
    entries = [HealthEntry(name=name, url="http://127.0.0.1:1/") for name in ("live", "ready")]
    assert [check.name for check in HealthCheck.instances(entries)] == [
        "health[live]",
        "health[ready]",
    ]
    (check,) = HealthCheck.instances([], severity=Severity.MEDIUM)
    assert check.name == "health"
    assert check.effective_severity is Severity.MEDIUM
    ctx = CheckContext(rootdir=Path.cwd(), files=ProjectFiles(Path.cwd()), cache=ContentCache(None))
    with pytest.raises(CheckSkipped, match=r"no \[\[tool.readiness.health\]\] entry"):
        check.run(ctx)


def test_entry_names_must_be_unique() -> None:
    entries = [HealthEntry(name=name, url="http://127.0.0.1:1/") for name in ("a", "b", "a")]
    with pytest.raises(SettingsError, match="entry names must be unique; repeated: a"):
        HealthCheck.instances(entries)


def test_the_example_service_is_healthy_with_its_own_configuration(guard: LeakGuard) -> None:
    raw = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["tool"]["readiness"]["health"]
    entries = load(HealthCheck.Settings, raw, "tool.readiness.health")
    for entry in entries:
        entry.env.update(guard.env)
        entry.probes = 5
        result = _run(entry, EXAMPLE)
        assert result.findings == [], entry.name
        assert set(result.metrics) == {"p50_ms", "p95_ms", "max_ms", "startup_ms"}
        assert 0 < result.metrics["p50_ms"] <= result.metrics["p95_ms"] <= result.metrics["max_ms"]
        assert "5 probe(s) of http://127.0.0.1:" in result.summary


def test_down_when_nothing_listens(guard: LeakGuard) -> None:
    result = _run(_entry(guard, url=f"http://127.0.0.1:{closed_port()}/healthz"), Path.cwd())
    assert _rules(result) == ["down"]
    assert "connection refused in 5 of 5 probe(s)" in result.findings[0].message
    assert result.metrics == {}


def test_503_is_a_wrong_status_naming_what_the_body_says(guard: LeakGuard) -> None:
    body = '{"status": "fail", "checks": {"db:connections": [{"status": "fail"}]}}'
    with serve_in_thread(Behaviour(status=503, body=body)) as server:
        result = _run(_entry(guard, url=server.url), Path.cwd())
    (finding,) = result.findings
    assert finding.rule == "wrong-status"
    assert finding.severity is Severity.HIGH
    assert "HTTP 503 x5 in 5 of 5 probe(s); expected 200-399; body says fail (db:connections)" in (
        finding.message
    )


@pytest.mark.parametrize("delay_ms", [40.0])
def test_slow_answers_are_over_budget_with_the_measured_figures(
    guard: LeakGuard, delay_ms: float
) -> None:
    with serve_in_thread(Behaviour(delay_ms=delay_ms)) as server:
        result = _run(_entry(guard, url=server.url, probes=9, budget_p50_ms=20), Path.cwd())
    assert delay_ms <= result.metrics["p50_ms"] <= delay_ms + 10
    (finding,) = result.findings
    assert finding.rule == "over-budget"
    said = re.search(r"p50 ([\d.]+) ms is over its budget of 20 ms", finding.message)
    assert said is not None
    assert float(said[1]) == pytest.approx(result.metrics["p50_ms"], abs=0.06)
    assert "probe timeout 3000 ms" in finding.message


def test_p95_over_half_the_probe_timeout_is_a_risk(guard: LeakGuard) -> None:
    with serve_in_thread(Behaviour(delay_ms=600)) as server:
        result = _run(_entry(guard, url=server.url, probes=1, timeout_s=1.0), Path.cwd())
    (finding,) = result.findings
    assert (finding.rule, finding.severity) == ("near-timeout", Severity.MEDIUM)


def test_wrong_body(guard: LeakGuard) -> None:
    with serve_in_thread(Behaviour(body='{"status": "fail"}')) as server:
        result = _run(_entry(guard, url=server.url, expect_json={"status": "pass"}), Path.cwd())
    assert _rules(result) == ["body-mismatch", "status-body-mismatch"]


def test_warn_is_a_medium_risk(guard: LeakGuard) -> None:
    with serve_in_thread(Behaviour(body='{"status": "warn"}')) as server:
        result = _run(_entry(guard, url=server.url), Path.cwd())
    assert [(f.rule, f.severity) for f in result.findings] == [("health-warn", Severity.MEDIUM)]


def test_auth_and_secrets_in_the_body(guard: LeakGuard) -> None:
    with serve_in_thread(Behaviour(status=401, body='{"error": "login"}')) as server:
        assert _rules(_run(_entry(guard, url=server.url), Path.cwd())) == ["auth-required"]
    # readiness: allow-secret-next-line (a fake credential the check must find)
    leaky = '{"status": "pass", "db": "postgres://app:S3cr3tPassw0rd9@db/inv"}'
    with serve_in_thread(Behaviour(body=leaky)) as server:
        result = _run(_entry(guard, url=server.url), Path.cwd())
    (finding,) = result.findings
    assert (finding.rule, finding.severity) == ("secret-in-body", Severity.CRITICAL)
    assert "S3cr3tPassw0rd9" not in str(result)


def test_service_crashing_on_start_reports_its_last_output(guard: LeakGuard) -> None:
    result = _run(
        _entry(guard, url="http://127.0.0.1:{port}/", command=f"{SERVER} --crash"), Path.cwd()
    )
    (finding,) = result.findings
    assert finding.rule == "startup-failed"
    assert "exited with status 3 before it was ready" in finding.message
    assert finding.message.endswith("ConfigError: DATABASE_URL is not set")
    assert "startup_ms" not in result.metrics


def test_secrets_in_the_output_of_a_crash_are_withheld(guard: LeakGuard) -> None:
    # readiness: allow-secret-next-line (a fake credential the check must find)
    guard.env["CRASH_MESSAGE"] = "connecting to postgres://app:S3cr3tPassw0rd9@db/inv"
    entry = _entry(guard, url="http://127.0.0.1:{port}/", command=f"{SERVER} --crash")
    (finding,) = _run(entry, Path.cwd()).findings
    assert finding.rule == "startup-failed"
    assert "S3cr3t" not in finding.message
    assert finding.message.endswith("[line withheld: it holds a secret (url-credentials)]")
    entry = _entry(
        guard, url="http://127.0.0.1:{port}/", command=SERVER, dependency_command=entry.command
    )
    with pytest.raises(CheckError, match="line withheld") as raised:
        _run(entry, Path.cwd())
    assert "S3cr3t" not in str(raised.value)


def test_service_never_ready_hits_the_startup_timeout(guard: LeakGuard) -> None:
    entry = _entry(
        guard,
        url="http://127.0.0.1:{port}/",
        command=f"{SERVER} --status 503",
        startup_timeout_s=2,
    )
    (finding,) = _run(entry, Path.cwd()).findings
    assert finding.rule == "startup-timeout"
    assert "not ready within 2 s: its last answer was HTTP 503" in finding.message


def test_slow_startup_is_over_its_budget(guard: LeakGuard) -> None:
    entry = _entry(
        guard,
        url="http://127.0.0.1:{port}/",
        command=f"{SERVER} --startup-delay-ms 300",
        startup_budget_ms=100,
    )
    result = _run(entry, Path.cwd())
    assert result.metrics["startup_ms"] >= 300
    assert _rules(result) == ["startup-over-budget"]


def _dependent_entry(guard: LeakGuard, service_arguments: str, **settings: Any) -> HealthEntry:
    """A service whose readiness asks a stand-in dependency on {dependency_port}."""
    dependency_url = "http://127.0.0.1:{dependency_port}/"
    return _entry(
        guard,
        url="http://127.0.0.1:{port}/readyz",
        liveness_url="http://127.0.0.1:{port}/healthz",
        command=f"{SERVER} {service_arguments} --dependency-url {dependency_url}",
        dependency_command=SERVER.replace("{port}", "{dependency_port}"),
        dependency_timeout_s=0.5,
        **settings,
    )


def test_dependency_down_scenario_runs_inside_the_check(guard: LeakGuard) -> None:
    entry = _dependent_entry(guard, "--readiness ignores")
    assert _rules(_run(entry, Path.cwd())) == ["ready-while-dependency-down"]


def test_slow_and_black_hole_faults_go_through_a_proxy_in_the_check(guard: LeakGuard) -> None:
    """The service gets the proxy's port as {dependency_port}; the stand-in keeps its own."""
    entry = _dependent_entry(
        guard,
        "--dependency-timeout-s 0",
        dependency_faults=["black-hole", "down", "slow"],
        dependency_slow_s=1.5,
        timeout_s=1.0,
    )
    black_hole, slow = _run(entry, Path.cwd()).findings
    for finding, name in ((black_hole, "black-hole"), (slow, "slow")):
        assert finding.rule == "readiness-hangs-with-dependency"
        assert f'(fault "{name}": ' in finding.message
        key = f"http://127.0.0.1:{{port}}/readyz ({name})"
        assert finding.fingerprint == fingerprint("health", finding.rule, None, key)


def test_a_dependency_stand_in_that_does_not_come_back_is_a_check_error(
    guard: LeakGuard, tmp_path: Path
) -> None:
    started = tmp_path / "started"
    once = f"[ -e {started} ] && exit 3; touch {started}; exec {SERVER}"
    entry = _dependent_entry(guard, "")
    entry.dependency_command = shlex.join(["sh", "-c", once.replace("{port}", "{dependency_port}")])
    with pytest.raises(CheckError, match="the dependency stand-in did not restart: exited with"):
        _run(entry, Path.cwd())


def test_a_dependency_stand_in_that_cannot_start_is_a_check_error(guard: LeakGuard) -> None:
    entry = _entry(
        guard,
        url="http://127.0.0.1:{port}/",
        command=SERVER,
        dependency_command=f"{SERVER} --crash",
    )
    with pytest.raises(CheckError, match=r"dependency stand-in .* exited with status 3"):
        _run(entry, Path.cwd())


def test_a_port_already_answered_by_another_process_is_an_error_naming_it(
    guard: LeakGuard,
) -> None:
    with serve_in_thread() as other:
        port = other.server_address[1]
        entry = _entry(
            guard, url=f"http://127.0.0.1:{port}/", command=SERVER.replace("{port}", str(port))
        )
        with pytest.raises(CheckError) as raised:
            _run(entry, Path.cwd())
    message = str(raised.value)
    assert f"port {port} already answers before the service started" in message
    assert "held by pid " in message


def test_answers_count_only_while_the_started_process_is_alive(guard: LeakGuard) -> None:
    """The command leaves a server behind and exits mid-check: its answers prove nothing."""
    leave_behind = (
        "import subprocess, sys, time; "
        f"subprocess.Popen([sys.executable, {str(SCRIPT)!r}, '--port', sys.argv[1], "
        "'--delay-ms', '30']); time.sleep(0.8)"
    )
    entry = _entry(
        guard,
        url="http://127.0.0.1:{port}/",
        command=f"{{python}} -c {shlex.quote(leave_behind)} {{port}}",
        probes=60,
    )
    with pytest.raises(CheckError, match=r"exited with status 0 while it was probed"):
        _run(entry, Path.cwd())


def test_fingerprints_do_not_change_with_the_random_port(guard: LeakGuard) -> None:
    command = f'{SERVER} --body \'{{"status": "warn"}}\''
    entry = _entry(guard, url="http://127.0.0.1:{port}/", command=command)
    first, second = (_run(entry, Path.cwd()).findings for _ in range(2))
    assert first[0].message != second[0].message
    assert first[0].fingerprint == second[0].fingerprint


def test_gate_runs_one_item_per_entry_and_reports_latencies(
    pytester: pytest.Pytester, guard: LeakGuard
) -> None:
    env = f'env = {{ {MARKER_VARIABLE} = "{guard.marker}" }}'
    pytester.makepyprojecttoml(
        f"""
        [[tool.readiness.health]]
        name = "api-liveness"
        url = "http://127.0.0.1:{{port}}/healthz"
        command = "{SERVER}"
        {env}
        probes = 5

        [[tool.readiness.health]]
        name = "api-down"
        url = "http://127.0.0.1:{closed_port()}/healthz"
        probes = 2
        """
    )
    result = pytester.runpytest(
        "--readiness", "--readiness-select", "health", "--readiness-report", "r.json"
    )
    assert result.ret == 1
    report = json.loads((pytester.path / "r.json").read_text())
    checks = {check["nodeid"].split("::")[-1]: check for check in report["checks"]}
    assert report["verdict"] == "not-ready"
    assert checks["health[api-liveness]"]["outcome"] == "passed"
    assert set(checks["health[api-liveness]"]["metrics"]) == {
        "p50_ms",
        "p95_ms",
        "max_ms",
        "startup_ms",
    }
    assert checks["health[api-down]"]["outcome"] == "failed"
    assert [f["rule"] for f in checks["health[api-down]"]["findings"]] == ["down"]
    result.stdout.fnmatch_lines(["*health[[]api-liveness[]]*p50_ms=*p95_ms=*max_ms=*"])
