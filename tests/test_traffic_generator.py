"""The built-in engine against real servers with controlled delays, errors, stalls and costs.

The machine running these tests is shared and busy, so bounds leave room for scheduling noise
while still failing on the mistakes they guard against (a latency taken from the wrong moment
is off by hundreds of milliseconds, not by a few).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

from pytest_readiness.traffic.generator import judge_generator, run_builtin
from pytest_readiness.traffic.memory import group_rss_mb
from pytest_readiness.traffic.scenario import RequestSpec, Scenario
from tests.health_servers import LeakGuard
from tests.load_servers import Behaviour, running


@pytest.fixture
def guard() -> Iterator[LeakGuard]:
    leak_guard = LeakGuard()
    yield leak_guard
    assert leak_guard.survivors() == []


def _scenario(**kwargs: object) -> Scenario:
    settings: dict[str, object] = {"rate": 200.0, "duration_s": 1.0, "warmup_s": 0.2}
    settings.update(kwargs)
    return Scenario(**settings)  # type: ignore[arg-type]


def test_an_injected_delay_is_measured_from_schedule_and_send(guard: LeakGuard) -> None:
    with running(Behaviour(delay_ms=50), guard.env) as url:
        result = run_builtin(_scenario(), url)
    assert result.ok == result.requests == 200
    assert result.dropped == 0
    assert 50 <= result.service.percentile(50) < 75
    assert 50 <= result.p50_ms < 85
    assert result.p50_ms >= result.service.percentile(50) - 1
    assert result.rate_ratio == pytest.approx(1.0, abs=0.06)


def test_errors_are_counted_by_kind(guard: LeakGuard) -> None:
    with running(Behaviour(error_rate=0.1), guard.env) as url:
        result = run_builtin(_scenario(rate=300.0), url)
    assert result.requests == 300
    assert result.errors == {"status 500": 30}
    assert result.error_rate == pytest.approx(0.1)


def test_a_stall_shows_in_the_open_model_and_hides_in_a_closed_loop(guard: LeakGuard) -> None:
    """Coordinated omission: one 1 s stop-the-world pause during a 100 req/s run."""
    stall = Behaviour(stall_after_s=0.5, stall_ms=1000)
    with running(stall, guard.env) as url:
        open_model = run_builtin(_scenario(rate=100.0, duration_s=1.5), url)
    with running(stall, guard.env) as url:
        closed_loop = run_builtin(_scenario(rate=100.0, users=1, duration_s=2.5), url)
    assert open_model.p99_ms >= 500
    assert open_model.latency.count_above(300) >= 20  # every request due during the stall
    assert closed_loop.max_ms >= 900  # it saw the stall once ...
    assert closed_loop.p99_ms < 300  # ... and its percentiles hide it
    assert closed_loop.dropped >= 50  # the requests it never sent while it waited


def test_a_queue_for_slots_counts_in_latency_not_in_service_time(guard: LeakGuard) -> None:
    """Two slots for 100 req/s of 30 ms answers: requests wait for a slot, and that counts."""
    with running(Behaviour(delay_ms=30), guard.env) as url:
        result = run_builtin(_scenario(rate=100.0, max_in_flight=2, timeout_s=0.3), url)
    assert result.service.percentile(99) < 100
    assert result.p99_ms >= 200
    assert result.dropped > 0
    assert (result.rate_ratio or 1.0) < 0.9


def test_a_service_that_closes_every_connection_still_gets_the_rate(guard: LeakGuard) -> None:
    with running(Behaviour(close=True), guard.env) as url:
        result = run_builtin(_scenario(rate=100.0, max_in_flight=3, duration_s=0.5), url)
    assert result.ok == result.requests == 50
    assert result.dropped == 0


def test_overdue_answers_time_out(guard: LeakGuard) -> None:
    with running(Behaviour(delay_ms=400), guard.env) as url:
        result = run_builtin(_scenario(rate=20.0, timeout_s=0.1, duration_s=0.5), url)
    assert result.errors.get("timeout", 0) == result.requests == 10
    assert result.latency.min_ms >= 100


def test_a_refused_connection_is_an_error_of_the_service() -> None:
    with running() as url:
        pass  # stopped: its port now refuses
    result = run_builtin(_scenario(rate=50.0, duration_s=0.4), url)
    judge_generator(result)
    assert result.requests == 20
    assert list(result.errors) == ["connect: Connection refused"]
    assert result.generator_problems == []


def test_a_generator_that_cannot_keep_up_says_so(guard: LeakGuard) -> None:
    """Answers cheap to send and dear to read: the generator, not the service, is the limit."""
    with running(Behaviour(chunks=5_000), guard.env) as url:
        result = run_builtin(_scenario(rate=400.0, duration_s=0.5, timeout_s=0.5), url)
    judge_generator(result)
    assert result.generator_problems
    assert "late" in result.generator_problems[0] or "core" in result.generator_problems[0]


def test_weighted_requests_reach_the_service_in_their_shares(guard: LeakGuard) -> None:
    requests = (RequestSpec(path="/a", weight=3), RequestSpec("POST", "/b", body=b"{}"))
    with running(Behaviour(), guard.env) as url:
        result = run_builtin(_scenario(requests=requests, rate=100.0, duration_s=0.4), url)
    assert result.ok == 40


def test_memory_growth_of_a_leaking_service_is_read_from_proc(guard: LeakGuard) -> None:
    behaviour = Behaviour(leak_kb=200)
    with running(behaviour, guard.env) as url:
        pid = _server_pid(guard)
        result = run_builtin(_scenario(rate=200.0), url, lambda: group_rss_mb(pid))
    assert result.rss_growth_mb is not None
    assert result.rss_growth_mb > 20  # 200 requests x 200 KiB kept
    assert group_rss_mb(pid) is None  # the group is gone


def _server_pid(guard: LeakGuard) -> int:
    (pid,) = [pid for pid in guard.survivors() if pid != os.getpid()]
    return pid


def test_group_rss_of_this_process_group_is_positive() -> None:
    assert sys.platform != "linux" or (group_rss_mb(os.getpgid(0)) or 0) > 1


def test_running_out_of_file_descriptors_is_the_generators_problem(guard: LeakGuard) -> None:
    """Too few descriptors for `max_in_flight` connections: the run is void, not the service."""
    child = textwrap.dedent(
        """
        import json, resource, sys
        from pytest_readiness.traffic.generator import judge_generator, run_builtin
        from pytest_readiness.traffic.scenario import Scenario
        resource.setrlimit(resource.RLIMIT_NOFILE, (24, 24))
        scenario = Scenario(rate=400.0, max_in_flight=100, duration_s=0.3, warmup_s=0.1)
        result = run_builtin(scenario, sys.argv[1])
        judge_generator(result)
        print(json.dumps([result.generator_problems, result.errors]))
        """
    )
    with running(Behaviour(delay_ms=200), guard.env) as url:
        completed = subprocess.run(
            [sys.executable, "-c", child, url], capture_output=True, text=True, timeout=60
        )
    problems, errors = json.loads(completed.stdout)
    assert problems == ["the generator ran out of file descriptors (Too many open files)"]
    assert not any("Too many" in kind for kind in errors)
