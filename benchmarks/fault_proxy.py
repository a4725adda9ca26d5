"""What the fault proxy costs: latency added and rate kept, direct against proxied, in one run.

    python benchmarks/fault_proxy.py [--rate 1000] [--seconds 5] [--connections 8]

Starts a real `redis-server` on 127.0.0.1 (Debian's package), then sends PINGs at a fixed total
rate over keep-alive connections, once straight to Redis and once through a `FaultProxy` with no
toxic, alternating the two paths in rounds so machine noise hits both alike. Latency counts
from each request's scheduled send time (so a stall cannot hide); throughput is what was
achieved against the target. Prints p50/p99 per path and the proxy's added p99 and kept rate.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

from pytest_readiness.resilience.proxy import FaultProxy
from pytest_readiness.runner import Service, free_port

PING = b"*1\r\n$4\r\nPING\r\n"
PONG = b"+PONG\r\n"


def run_path(
    address: tuple[str, int], rate: float, seconds: float, connections: int
) -> tuple[list[float], float]:
    """Latencies in ms and the achieved requests per second over `connections` paced threads."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = rate / connections
    start = time.monotonic() + 0.05

    def worker(offset: float) -> None:
        with socket.create_connection(address, timeout=5) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            mine = []
            count = int(per_thread * seconds)
            for index in range(count):
                scheduled = start + offset + index / per_thread
                pause = scheduled - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                sock.sendall(PING)
                received = b""
                while len(received) < len(PONG):
                    received += sock.recv(64)
                mine.append((time.monotonic() - scheduled) * 1000)
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i / rate,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    return latencies, len(latencies) / elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    program = shutil.which("redis-server")
    if program is None:
        raise SystemExit("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    with (
        tempfile.TemporaryDirectory() as folder,
        Service(
            [
                program,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=Path(folder),
            env={},
        ) as redis,
        FaultProxy(("127.0.0.1", port)) as proxy,
    ):
        redis.wait_until_accepting(port, 10)
        paths = {"direct": ("127.0.0.1", port), "proxy": proxy.address}
        results: dict[str, list[tuple[list[float], float]]] = {name: [] for name in paths}
        for _ in range(arguments.rounds):
            for name, address in paths.items():
                results[name].append(
                    run_path(address, arguments.rate, arguments.seconds, arguments.connections)
                )
    print(f"target {arguments.rate:g} req/s for {arguments.seconds:g} s x {arguments.rounds} "
          f"rounds over {arguments.connections} connections (redis PING)")  # fmt: skip
    summary = {}
    for name, runs in results.items():
        latencies = [value for run, _ in runs for value in run]
        rate = statistics.median(achieved for _, achieved in runs)
        summary[name] = (percentile(latencies, 0.5), percentile(latencies, 0.99), rate)
        p50, p99, achieved = summary[name]
        print(f"{name:>7}: p50 {p50:6.3f} ms  p99 {p99:6.3f} ms  achieved {achieved:7.1f} req/s")
    added = summary["proxy"][1] - summary["direct"][1]
    kept = summary["proxy"][2] / summary["direct"][2]
    print(f"proxy adds {added:+.3f} ms at p99 (goal <= 1 ms) and keeps {kept:.1%} of the rate "
          "(goal >= 95 %)")  # fmt: skip


if __name__ == "__main__":
    main()
