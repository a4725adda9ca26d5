"""`LoadCheck.run` end to end: real services started from `[[tool.readiness.load]]` entries."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import pytest_readiness
from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.load import LoadCheck, LoadEntry, LoadRequest
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult, Severity
from pytest_readiness.runner import Service, free_port
from pytest_readiness.settings import SettingsError, load
from pytest_readiness.traffic import Scenario, locust_engine
from tests.health_servers import MARKER_VARIABLE, LeakGuard
from tests.load_servers import Behaviour, command, running

SCHEMA = Path(pytest_readiness.__file__).with_name("report.schema.json")


@pytest.fixture
def guard() -> Iterator[LeakGuard]:
    leak_guard = LeakGuard()
    yield leak_guard
    assert leak_guard.survivors() == [], "a process started by the check outlived it"


def _entry(guard: LeakGuard, behaviour: Behaviour | None = None, **settings: Any) -> LoadEntry:
    settings.setdefault("rate", 100.0)
    settings.setdefault("duration_s", 1.0)
    settings.setdefault("warmup_s", 0.2)
    settings.setdefault("generator_lag_budget_ms", 100.0)  # the test machine is shared and busy
    if "url" not in settings:
        settings.setdefault("command", command(behaviour or Behaviour()))
    return LoadEntry(name="api", env=guard.env, **settings)


def _run(entry: LoadEntry, rootdir: Path | None = None) -> CheckResult:
    rootdir = rootdir or Path.cwd()
    (check,) = LoadCheck.instances([entry])
    ctx = CheckContext(rootdir=rootdir, files=ProjectFiles(rootdir), cache=ContentCache(None))
    return check.run(ctx)


def _rules(result: CheckResult) -> list[str]:
    return [finding.rule for finding in result.findings]


def test_a_service_within_its_budgets_passes(guard: LeakGuard) -> None:
    entry = _entry(
        guard, Behaviour(delay_ms=5), p95_ms=300, p99_ms=500, max_rss_growth_mb=20, p50_ms=100
    )
    result = _run(entry)
    assert result.findings == []
    assert result.metrics["achieved_rps"] == pytest.approx(100, rel=0.1)
    assert result.metrics["requests"] == 100
    assert result.metrics["error_rate"] == 0
    assert result.metrics["dropped"] == 0
    assert 5 <= result.metrics["p50_ms"] <= result.metrics["p95_ms"] <= result.metrics["max_ms"]
    assert "rss_growth_mb" in result.metrics
    assert set(result.histograms) == {"latency_ms", "service_ms"}
    assert sum(row["count"] for row in result.histograms["latency_ms"]["bins"]) == 100
    assert re.match(r"\d+\.\d req/s, p50 ", result.summary)


def test_slow_answers_break_the_latency_budgets(guard: LeakGuard) -> None:
    result = _run(_entry(guard, Behaviour(delay_ms=80), p95_ms=40, max_ms=60))
    assert _rules(result) == ["p95-over-budget", "max-over-budget"]
    message = result.findings[0].message
    assert message.startswith("api: p95 latency")
    assert "over its budget of 40 ms" in message
    assert "p50" in message
    assert "p99" in message
    assert result.findings[0].severity is Severity.HIGH


def test_errors_above_the_budget_are_a_finding(guard: LeakGuard) -> None:
    result = _run(_entry(guard, Behaviour(error_rate=0.1), max_error_rate=0.02))
    assert _rules(result) == ["error-rate"]
    assert "10.00% of 100 requests failed (status 500 x10)" in result.findings[0].message
    assert result.metrics["error_rate"] == pytest.approx(0.1)


def test_memory_growth_of_a_leaking_service(guard: LeakGuard) -> None:
    result = _run(_entry(guard, Behaviour(leak_kb=256), max_rss_growth_mb=8, rate=150.0))
    assert _rules(result) == ["rss-growth"]
    assert result.metrics["rss_growth_mb"] > 20
    assert "the service's RSS grew by" in result.findings[0].message


def test_a_saturated_generator_is_an_error_not_a_finding(guard: LeakGuard) -> None:
    entry = _entry(guard, Behaviour(chunks=5000), rate=400.0, duration_s=0.5, timeout_s=0.5)
    entry.generator_lag_budget_ms = 25.0
    with pytest.raises(CheckError, match="could not keep its schedule") as error:
        _run(entry)
    assert "say nothing about the service" in str(error.value)


def test_a_crash_under_load_is_a_finding_with_its_output(guard: LeakGuard) -> None:
    result = _run(_entry(guard, Behaviour(exit_after=30), max_error_rate=None, min_rate_ratio=None))
    assert _rules(result) == ["service-exited"]
    assert "exited with status 3" in result.findings[0].message
    assert "crashing after 30 answers" in result.findings[0].message
    assert result.metrics["error_rate"] > 0.5


def test_a_service_that_quits_right_after_listening_is_a_finding(guard: LeakGuard) -> None:
    result = _run(_entry(guard, Behaviour(exit_after=1), warmup_s=0.3))  # answers one, in warmup
    assert _rules(result) == ["service-exited"]
    assert result.metrics["error_rate"] > 0.9


def test_a_service_that_does_not_start_is_an_error(guard: LeakGuard) -> None:
    entry = _entry(guard, command="{python} -c \"print('no port today'); raise SystemExit(2)\"")
    with pytest.raises(CheckError, match="exited with status 2") as error:
        _run(entry)
    assert "no port today" in str(error.value)


def test_a_service_that_is_already_up(guard: LeakGuard) -> None:
    with running(Behaviour(), guard.env) as url:
        result = _run(_entry(guard, url=url, requests=[LoadRequest(path="/a", weight=2)]))
    assert result.findings == []
    assert "rss_growth_mb" not in result.metrics


def needs_locust() -> None:
    """locust comes with the dev extra; the lowest-versions run leaves it out on purpose
    (locust asks for pytest>=8.3.3, above the plugin's floor). Anywhere else it must be there."""
    if importlib.util.find_spec("locust") is None:
        if os.environ.get("READINESS_WITHOUT_LOCUST"):
            pytest.skip("locust is left out of the lowest-versions run (it needs pytest>=8.3.3)")
        pytest.fail("locust is missing: install pytest-readiness[locust] (the dev extra has it)")


def test_locust_runs_the_same_scenario_and_is_held_to_the_same_budgets(
    guard: LeakGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_locust()
    monkeypatch.setenv(MARKER_VARIABLE, guard.marker)  # so that locust carries the marker too
    entry = _entry(
        guard,
        Behaviour(error_rate=0.2),
        engine="locust",
        rate=40.0,
        max_in_flight=4,
        warmup_s=0.5,
        max_error_rate=0.05,
        max_rss_growth_mb=50,
    )
    result = _run(entry)
    assert _rules(result) == ["error-rate"]
    assert "failed (as locust counts)" in result.findings[0].message
    assert result.metrics["error_rate"] == pytest.approx(0.2, abs=0.05)
    assert result.metrics["requests"] >= 20
    assert "p95_ms" in result.metrics
    assert "rss_growth_mb" in result.metrics
    assert "latency_ms" in result.histograms
    assert not [pid for pid in guard.survivors() if pid != os.getpid()]


def test_without_locust_the_locust_engine_is_an_error(
    guard: LeakGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locust_engine.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(CheckError, match=r"pytest-readiness\[locust\]"):
        _run(_entry(guard, engine="locust"))


def test_instances_and_the_skip_without_entries() -> None:
    entries = [LoadEntry(name=name, url="http://127.0.0.1:1") for name in ("a", "b")]
    assert [check.name for check in LoadCheck.instances(entries)] == ["load[a]", "load[b]"]
    with pytest.raises(SettingsError, match="repeated"):
        LoadCheck.instances([*entries, entries[0]])
    (check,) = LoadCheck.instances([])
    ctx = CheckContext(rootdir=Path.cwd(), files=ProjectFiles(Path.cwd()), cache=ContentCache(None))
    with pytest.raises(CheckSkipped, match=r"no \[\[tool.readiness.load\]\]"):
        check.run(ctx)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "x"}, "give a `command`"),
        ({"name": "x", "url": "http://127.0.0.1:{port}"}, "needs a `command`"),
        ({"name": "x", "url": "http://h", "rate": 1.0, "rate_per_minute": 60.0}, "not both"),
        ({"name": "x", "url": "http://h", "max_rss_growth_mb": 5.0}, "only a started service"),
        ({"name": "x", "url": "http://h/path"}, "put paths in the requests"),
        ({"name": "x", "url": "http://h", "max_error_rate": 2.0}, "between 0 and 1"),
        ({"name": "x", "url": "http://h", "p95_ms": 0.0}, "greater than 0"),
        ({"name": "x", "url": "http://h", "requests": [{"path": "nope"}]}, "must start with /"),
        ({"name": "x", "url": "http://h", "engine": "k6"}, "allowed: 'builtin', 'locust'"),
        ({"name": "x y", "url": "http://h"}, "must be letters"),
    ],
)
def test_bad_entries_name_the_problem(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load(list[LoadEntry], [raw], "tool.readiness.load")


def test_the_defaults_are_the_reviews_scenario() -> None:
    entry = load(LoadEntry, {"name": "x", "command": "serve {port}"}, "tool.readiness.load")
    scenario = entry.scenario()
    assert scenario.rate == pytest.approx(1000 / 60)
    assert scenario.max_in_flight == 100
    assert scenario.open
    thresholds = entry.thresholds()
    assert (thresholds.p95_ms, thresholds.max_error_rate) == (5000, 0.02)
    assert entry.service_url == "http://127.0.0.1:{port}"
    per_minute = load(LoadEntry, {"name": "x", "url": "http://h", "rate_per_minute": 600}, "t")
    assert per_minute.scenario().rate == 10


def test_the_gate_reports_the_figures_and_histogram(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        f"""
        [[tool.readiness.load]]
        name = "api"
        command = {json.dumps(command(Behaviour(delay_ms=2)))}
        rate = 100
        duration_s = 0.5
        warmup_s = 0.2
        p95_ms = 500
        generator_lag_budget_ms = 100  # the test machine is shared and busy
        """
    )
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    run = pytester.runpytest(
        "--readiness-only", "--readiness-select", "load", "--readiness-report", "report.json"
    )
    run.assert_outcomes(passed=1)
    report = json.loads((pytester.path / "report.json").read_text())
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    (check,) = report["checks"]
    assert check["nodeid"].endswith("load[api]")
    assert check["outcome"] == "passed"
    assert check["metrics"]["requests"] == 50
    assert check["histograms"]["latency_ms"]["count"] == 50
    assert report["verdict"] == "ready"


def test_locust_as_master_with_a_worker(guard: LeakGuard, monkeypatch: pytest.MonkeyPatch) -> None:
    """The multi-machine set-up on one machine: the worker fetches the locustfile (`-f -`)."""
    needs_locust()
    monkeypatch.setenv(MARKER_VARIABLE, guard.marker)
    port = free_port()
    worker_argv = [sys.executable, "-m", "locust", "--worker", "-f", "-"]
    worker_argv += ["--master-host", "127.0.0.1", "--master-port", str(port)]
    options = locust_engine.LocustOptions(
        expect_workers=1, expect_workers_max_wait_s=30, master_port=port
    )
    scenario = Scenario(rate=40.0, max_in_flight=4, duration_s=1.0, warmup_s=0.5)
    with running(Behaviour(), guard.env) as url, Service(worker_argv, cwd=Path.cwd(), env={}):
        result = locust_engine.run_locust(scenario, url, options)
    assert result.engine == "locust"
    assert result.requests >= 20
    assert result.errors == {}
    assert not [pid for pid in guard.survivors() if pid != os.getpid()]
