"""`engine = "locust"`: the same scenario on locust, headless, as a subprocess.

Locust patches the standard library with gevent when imported, so it never runs in pytest's
process: the scenario is written into a self-contained locustfile in a temporary directory and
`python -m locust` runs it through the service runner (its own process group, always stopped).
Its final statistics (`--json-file`) carry every response time rounded as locust rounds them
(to 1 ms under 100 ms, 10 ms under 1 s, 100 ms above), which go into the same histogram and
the same thresholds as the built-in engine's.

Locust has no open model: each user waits for its answer, paced by `constant_throughput` to
its share of the target rate, so a stall holds users back instead of piling requests up; the
shortfall shows as `dropped` (requests the target called for that never started).
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_readiness.runner import Service, StartupError
from pytest_readiness.traffic.figures import LoadResult
from pytest_readiness.traffic.histogram import Histogram
from pytest_readiness.traffic.scenario import Scenario, Target

STARTUP_ALLOWANCE_S = 60.0
POLL_S = 0.1
SPAWNED = "All users spawned"
CPU_WARNING = "CPU usage above"

LOCUSTFILE = '''"""Written by pytest-readiness: a `[[tool.readiness.load]]` scenario for locust."""

import json

from locust import FastHttpUser, constant, constant_throughput

SCENARIO = json.loads({scenario!r})


def _request(spec):
    headers = dict(spec["headers"])
    body = spec["body"].encode("latin-1") or None
    name = spec["method"] + " " + spec["path"]

    def send(user):
        user.client.request(spec["method"], spec["path"], headers=headers, data=body, name=name)

    return send


class ReadinessUser(FastHttpUser):
    host = SCENARIO["host"]
    network_timeout = SCENARIO["timeout_s"]
    connection_timeout = SCENARIO["timeout_s"]
    pace = SCENARIO["per_user_rate"]
    wait_time = constant_throughput(pace) if pace else constant(0)
    tasks = {{_request(spec): spec["weight"] for spec in SCENARIO["requests"]}}
'''


@dataclass(frozen=True)
class LocustOptions:
    processes: int = 1
    """`--processes`: worker processes on this machine (each one core)."""
    expect_workers: int = 0
    """Run as master and wait for this many `--worker`s started on other machines."""
    expect_workers_max_wait_s: float = 60.0
    master_port: int = 5557
    """Where the master listens for workers (on every interface, as locust does)."""


def available() -> bool:
    return importlib.util.find_spec("locust") is not None


def users_of(scenario: Scenario) -> int:
    return scenario.users if scenario.users is not None else scenario.max_in_flight


def locustfile(scenario: Scenario, url: str) -> str:
    """The scenario as a self-contained locustfile (also what workers on other machines run)."""
    users = users_of(scenario)
    data = {
        "host": Target.parse(url).url,
        "timeout_s": scenario.timeout_s,
        "per_user_rate": scenario.rate / users if scenario.rate else 0,
        "requests": [
            {
                "method": spec.method.upper(),
                "path": spec.path,
                "headers": list(spec.headers),
                "body": spec.body.decode("latin-1"),
                "weight": spec.weight,
            }
            for spec in scenario.requests
        ],
    }
    return LOCUSTFILE.format(scenario=json.dumps(data))


def run_time_s(scenario: Scenario) -> int:
    """Locust counts its run time in whole seconds; the measured window is what follows warmup."""
    return math.ceil(scenario.warmup_s + scenario.duration_s)


def command(scenario: Scenario, file: Path, stats: Path, options: LocustOptions) -> list[str]:
    users = users_of(scenario)
    spawn_rate = users / scenario.warmup_s if scenario.warmup_s else users
    argv = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(file),
        "--headless",
        "--only-summary",
        "--loglevel",
        "INFO",
        "--users",
        str(users),
        "--spawn-rate",
        f"{spawn_rate:g}",
        "--run-time",
        f"{run_time_s(scenario)}s",
        "--reset-stats",
        "--stop-timeout",
        f"{scenario.timeout_s:g}",
        "--json-file",
        str(stats),
        "--exit-code-on-error",
        "0",
    ]
    if options.expect_workers:
        argv += [
            "--master",
            "--expect-workers",
            str(options.expect_workers),
            "--expect-workers-max-wait",
            f"{options.expect_workers_max_wait_s:g}",
            "--master-bind-port",
            str(options.master_port),
        ]
    elif options.processes > 1:
        argv += ["--processes", str(options.processes)]
    return argv


def run_locust(
    scenario: Scenario,
    url: str,
    options: LocustOptions,
    sample: Callable[[], float | None] | None = None,
) -> LoadResult:
    """Run locust to completion; raises StartupError when locust itself fails."""
    with tempfile.TemporaryDirectory(prefix="readiness-locust-") as folder:
        file = Path(folder) / "locustfile.py"
        file.write_text(locustfile(scenario, url), encoding="utf-8")
        stats = Path(folder) / "stats"
        argv = command(scenario, file, stats, options)
        allowed_s = scenario.warmup_s + scenario.duration_s + scenario.timeout_s
        allowed_s += STARTUP_ALLOWANCE_S + options.expect_workers_max_wait_s * bool(
            options.expect_workers
        )
        rss: list[float | None] = []
        with Service(argv, cwd=Path(folder), env={}) as locust:
            deadline = time.monotonic() + allowed_s
            while locust.exit_code() is None:
                if time.monotonic() > deadline:
                    raise StartupError(f"locust did not finish within {allowed_s:g} s", "")
                if sample is not None and not rss and SPAWNED in locust.output_tail(200):
                    rss.append(sample())
                time.sleep(POLL_S)
            output = locust.output_tail(200)
            code = locust.exit_code()
        if code != 0 or not Path(f"{stats}.json").is_file():
            raise StartupError(f"locust ended with status {code} and no statistics", output)
        entries = json.loads(Path(f"{stats}.json").read_text(encoding="utf-8"))
    result = _result(scenario, entries)
    if sample is not None and rss:
        result.rss_before_mb, result.rss_after_mb = rss[0], sample()
    if CPU_WARNING in output:
        result.generator_problems.append(
            "locust warned that its CPU usage was above 90 %: add --processes or workers"
        )
    return result


def _result(scenario: Scenario, entries: list[dict[str, Any]]) -> LoadResult:
    latency = Histogram()
    failures = 0
    requests = 0
    for entry in entries:
        requests += int(entry["num_requests"])
        failures += int(entry["num_failures"])
        for rounded_ms, count in entry["response_times"].items():
            latency.record(float(rounded_ms), int(count))
    duration_s = _span_s(entries) or run_time_s(scenario) - scenario.warmup_s
    expected = None if scenario.rate is None else round(scenario.rate * duration_s)
    return LoadResult(
        engine="locust",
        model="closed" if scenario.users is not None else "paced users",
        target_rps=scenario.rate,
        duration_s=duration_s,
        latency=latency,
        service=Histogram(),
        generator_lag=Histogram(),
        ok=requests - failures,
        errors={"failed (as locust counts)": failures} if failures else {},
        dropped=max(0, expected - requests) if expected is not None else 0,
    )


def _span_s(entries: list[dict[str, Any]]) -> float:
    """The time locust's statistics cover: from their reset to the last request, in seconds."""
    starts = [float(entry["start_time"]) for entry in entries]
    ends = [float(entry["last_request_timestamp"] or 0) for entry in entries]
    return max(0.0, max(ends, default=0.0) - min(starts, default=0.0))
