"""Measure what the `health` check measures: probe overhead, latency accuracy, time to ready.

    python benchmarks/health_probe.py [--probes N] [--delays 0,10,50,100]

For each injected server delay it probes a purpose-built server on 127.0.0.1 N times and prints
the measured p50/p95/max and how far p50 sits above the delay (the probe's own overhead: a
fresh connection, the request, reading the body). Then it times the example service from
`python -m example_service` to its first ready `/readyz`, as the check's `startup_ms` does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from pytest_readiness.checks.health.probe import Prober
from pytest_readiness.runner import Service, free_port

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.health_servers import Behaviour, serve_in_thread  # noqa: E402


def probe_accuracy(delays_ms: list[float], probes: int) -> None:
    print(f"{'delay ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p50 - delay':>12}")
    with Prober() as prober:
        for delay in delays_ms:
            with serve_in_thread(Behaviour(delay_ms=delay)) as server:
                latency = prober.series(f"{server.url}/healthz", probes).latency_ms
            print(
                f"{delay:9.0f} {latency.p50:8.2f} {latency.p95:8.2f} {latency.max:8.2f} "
                f"{latency.p50 - delay:12.2f}"
            )


def startup_times(runs: int) -> None:
    source = ROOT / "examples" / "service" / "src"
    times = []
    with Prober() as prober:
        for _ in range(runs):
            port = free_port()
            argv = [sys.executable, "-m", "example_service", "--port", str(port)]
            with Service(argv, cwd=ROOT, env={"PYTHONPATH": str(source)}) as service:
                times.append(
                    service.wait_until_ready(
                        lambda port=port: prober.probe(f"http://127.0.0.1:{port}/readyz"),
                        lambda answer: answer.succeeded,
                        timeout_s=10,
                    )
                )
    print(
        f"example service, start to first ready /readyz over {runs} runs: "
        f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--probes", type=int, default=50)
    parser.add_argument("--delays", default="0,10,50,100")
    parser.add_argument("--startup-runs", type=int, default=5)
    arguments = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    started = time.perf_counter()
    probe_accuracy([float(delay) for delay in arguments.delays.split(",")], arguments.probes)
    startup_times(arguments.startup_runs)
    print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
