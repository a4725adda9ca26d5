"""Measure the `load` check's generator: capacity beside its peers, and latency accuracy.

    python benchmarks/load_generator.py [--seconds 5] [--part capacity|accuracy|all]

Capacity: nginx (Debian's `nginx-light`, one worker, `return 200 "ok"`, a config in a temporary
directory, 127.0.0.1 only) pinned to the second core; each generator pinned to the first core
with `taskset`, 50 connections, one after another in this one run: `wrk -t1 -c50`, `hey -c 50`,
locust `FastHttpUser` with no wait, a plain aiohttp closed loop, and the built-in engine both as
a closed loop and on an open-model schedule (every latency recorded). Ratios are against locust.
Needs `nginx`, `wrk`, `hey` and `taskset` on PATH and `aiohttp` importable; a missing one is
reported and its row left out.

Accuracy, the engine on the first core and the server on the second: a 50 ms injected delay
(nginx's `echo_sleep`, or the test server of `tests/load_servers.py` without the echo module) at
200 req/s, where p50 should sit within 2 ms of 50 ms; and one 1 s stall of the test server
during a 100 req/s run, measured by the open model and by a closed loop (1 user paced to
100 req/s), which hides it.

The machine may be shared: figures are noisy, and only the ratios within one run compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pytest_readiness.runner import Service, free_port
from pytest_readiness.traffic import RequestSpec, Scenario, run_load

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.load_servers import Behaviour, running  # noqa: E402

CONNECTIONS = 50
ECHO_MODULE = Path("/usr/lib/nginx/modules/ngx_http_echo_module.so")
"""Debian's nginx-light ships the echo module: `echo_sleep` delays by nginx's own timers."""
NGINX_CONF = """
{load_echo}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{ return 200 "ok"; }}
        {delay}
    }}
}}
"""
AIOHTTP_LOOP = """
import asyncio, sys, time
import aiohttp

async def main(url, connections, seconds):
    done = 0
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        end = time.monotonic() + seconds
        async def user():
            nonlocal done
            while time.monotonic() < end:
                async with session.get(url) as answer:
                    await answer.read()
                done += 1
        await asyncio.gather(*(user() for _ in range(connections)))
    print(done / seconds)

asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
"""
LOCUSTFILE = """
from locust import FastHttpUser, constant, task

class NoWait(FastHttpUser):
    wait_time = constant(0)

    @task
    def root(self):
        self.client.get("/")
"""


def cores() -> tuple[str, str]:
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        raise SystemExit("needs two cores: one for the server, one for the generator")
    return str(available[0]), str(available[1])


@contextmanager
def nginx(core: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="readiness-nginx-") as folder:
        port = free_port()
        conf = Path(folder) / "nginx.conf"
        echo = ECHO_MODULE.is_file()
        conf.write_text(
            NGINX_CONF.format(
                folder=folder,
                port=port,
                load_echo=f"load_module {ECHO_MODULE};" if echo else "",
                delay='location /delay-50 { echo_sleep 0.05; echo "ok"; }' if echo else "",
            )
        )
        argv = ["taskset", "-c", core, "nginx", "-p", folder, "-c", str(conf)]
        argv += ["-g", "daemon off;"]
        with Service(argv, cwd=Path(folder), env={}) as service:
            service.wait_until_accepting(port, timeout_s=10)
            yield f"http://127.0.0.1:{port}"


@dataclass
class Row:
    name: str
    rate: float
    """Requests per second of wall time."""
    cpu: float
    """The share of its core the generator got in its steady state (read from /proc)."""
    note: str = ""

    @property
    def per_core(self) -> float:
        """Requests per CPU-second: what it would do with a whole core to itself."""
        return self.rate / self.cpu if self.cpu else 0.0


def run_sampled(argv: list[str], seconds: float, settle_s: float) -> tuple[str, float]:
    """Run a generator to completion; its CPU share between `settle_s` and near the end."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(settle_s)
        cpu_from, wall_from = _cpu_s(process.pid), time.monotonic()
        time.sleep(max(0.5, seconds - 1.0))
        cpu_share = (_cpu_s(process.pid) - cpu_from) / (time.monotonic() - wall_from)
        output, _ = process.communicate(timeout=seconds + 60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode:
        raise RuntimeError(f"{argv[3]} exited with {process.returncode}: {output[-500:]}")
    return output, cpu_share


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _requests_per_s(output: str, name: str) -> float:
    for line in output.splitlines():
        if "Requests/sec:" in line:
            return float(line.split("Requests/sec:")[1].split()[0])
    raise RuntimeError(f"no Requests/sec in the output of {name}:\n{output[-500:]}")


def wrk(url: str, core: str, seconds: float) -> Row:
    argv = ["taskset", "-c", core, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", url]
    output, cpu = run_sampled(argv, seconds, settle_s=0.5)
    return Row("wrk -t1 -c50", _requests_per_s(output, "wrk"), cpu)


def hey(url: str, core: str, seconds: float) -> Row:
    argv = ["taskset", "-c", core, "hey", "-z", f"{seconds:g}s", "-c", str(CONNECTIONS), url]
    output, cpu = run_sampled(argv, seconds, settle_s=0.5)
    return Row("hey -c 50", _requests_per_s(output, "hey"), cpu)


def aiohttp_loop(url: str, core: str, seconds: float) -> Row:
    argv = ["taskset", "-c", core, sys.executable, "-c", AIOHTTP_LOOP, url]
    argv += [str(CONNECTIONS), str(seconds)]
    output, cpu = run_sampled(argv, seconds + 1, settle_s=1.5)
    return Row("aiohttp closed loop", float(output.strip().splitlines()[-1]), cpu)


def locust(url: str, core: str, seconds: float) -> Row:
    with tempfile.TemporaryDirectory(prefix="readiness-locust-bench-") as folder:
        file = Path(folder) / "locustfile.py"
        file.write_text(LOCUSTFILE)
        stats = Path(folder) / "stats"
        argv = ["taskset", "-c", core, sys.executable, "-m", "locust", "-f", str(file)]
        argv += ["--headless", "--only-summary", "--host", url, "-u", str(CONNECTIONS)]
        argv += ["-r", str(CONNECTIONS), "-t", f"{round(seconds) + 2}s", "--reset-stats"]
        argv += ["--json-file", str(stats), "--loglevel", "WARNING"]
        _, cpu = run_sampled(argv, seconds + 3, settle_s=4.0)
        (entry,) = json.loads(Path(f"{stats}.json").read_text())
        span = entry["last_request_timestamp"] - entry["start_time"]
        return Row("locust FastHttpUser (no wait)", entry["num_requests"] / span, cpu)


def builtin(url: str, core: str, seconds: float, **scenario: float | None) -> Row:
    """The engine in a child process pinned to `core`, as the check would run it."""
    code = textwrap.dedent(
        f"""
        import json
        from pytest_readiness.traffic import RequestSpec, Scenario, run_load
        scenario = Scenario(duration_s={seconds}, warmup_s=1, max_in_flight={CONNECTIONS},
                            **{scenario!r})
        result = run_load(scenario, {url!r})
        lag = result.generator_lag
        print(json.dumps({{"rate": result.achieved_rps, "p99": result.p99_ms,
                          "lag_p99": lag.percentile(99) if lag.count else 0,
                          "dropped": result.dropped, "errors": result.error_rate,
                          "void": bool(result.generator_problems)}}))
        """
    )
    argv = ["taskset", "-c", core, sys.executable, "-c", code]
    output, cpu = run_sampled(argv, seconds + 1, settle_s=1.5)
    data = json.loads(output.strip().splitlines()[-1])
    if scenario.get("users"):
        name, note = "built-in, closed loop", f"p99 {data['p99']:.1f} ms"
    else:
        name = f"built-in, open model at {scenario['rate']:,.0f}/s"
        note = f"p99 {data['p99']:.1f} ms, lag p99 {data['lag_p99']:.1f} ms"
        note += f", {data['dropped']} dropped" if data["dropped"] else ""
        note += ", GENERATOR SATURATED (an error in the check)" if data["void"] else ""
    return Row(name, data["rate"], cpu, note)


def capacity(seconds: float) -> None:
    generator_core, server_core = cores()
    print(f"capacity: nginx on core {server_core}, each generator alone on core {generator_core}")
    print(f"{CONNECTIONS} connections, {seconds:g} s each\n")
    if not shutil.which("nginx"):
        raise SystemExit("nginx is not installed (Debian: apt-get install nginx-light)")
    peers: list[Callable[[str, str, float], Row]] = [wrk, hey, locust, aiohttp_loop]
    rows: list[Row] = []
    with nginx(server_core) as url:
        for measure in peers:
            try:
                rows.append(measure(url, generator_core, seconds))
            except (OSError, RuntimeError, subprocess.SubprocessError) as error:
                print(f"{measure.__name__}: left out ({error})")
        rows.append(builtin(url, generator_core, seconds, users=CONNECTIONS, rate=None))
        for target in (5000.0, 10000.0, 12000.0):
            rows.append(builtin(url, generator_core, seconds, rate=target))
    locust_row = next((row for row in rows if row.name.startswith("locust")), None)
    print(f"{'generator':38} {'req/s':>8} {'core':>5} {'req/CPU-s':>10} {'x locust':>9}  notes")
    for row in rows:
        ratio = f"{row.per_core / locust_row.per_core:9.2f}" if locust_row else f"{'-':>9}"
        print(
            f"{row.name:38} {row.rate:8,.0f} {row.cpu:5.0%} {row.per_core:10,.0f} {ratio}  "
            f"{row.note}"
        )
    print("(req/CPU-s = req/s over the share of its core it got: what a whole core would do)")


def accuracy() -> None:
    generator_core, server_core = cores()
    os.sched_setaffinity(0, {int(generator_core)})
    print("\naccuracy: test server on core", server_core, "engine on core", generator_core)
    delayed = (RequestSpec(path="/delay-50"),)
    if ECHO_MODULE.is_file():
        server = "nginx echo_sleep"
        with nginx(server_core) as url:
            result = run_load(Scenario(delayed, rate=200, duration_s=5, warmup_s=1), url)
    else:
        server = "tests/load_servers.py"
        with _pinned_server(Behaviour(delay_ms=50), server_core) as url:
            result = run_load(Scenario(delayed, rate=200, duration_s=5, warmup_s=1), url)
    print(
        f"50 ms delay ({server}) at 200 req/s: p50 {result.p50_ms:.2f} ms "
        f"(off by {result.p50_ms - 50:+.2f}), service p50 {result.service.percentile(50):.2f} ms "
        f"(off by {result.service.percentile(50) - 50:+.2f}), p99 {result.p99_ms:.2f} ms, "
        f"generator lag p99 {result.generator_lag.percentile(99):.2f} ms"
    )
    stall = Behaviour(stall_after_s=2, stall_ms=1000)
    with _pinned_server(stall, server_core) as url:
        opened = run_load(Scenario(rate=100, duration_s=5, warmup_s=0.5), url)
    with _pinned_server(stall, server_core) as url:
        closed = run_load(Scenario(rate=100, users=1, duration_s=5, warmup_s=0.5), url)
    print("one 1 s stall during a 100 req/s run, 5 s measured:")
    for name, figures in (("open model (from schedule)", opened), ("closed loop", closed)):
        print(
            f"  {name:28} p50 {figures.p50_ms:7.1f}  p99 {figures.p99_ms:7.1f}  "
            f"max {figures.max_ms:7.1f} ms  requests {figures.requests}  "
            f"dropped {figures.dropped}"
        )


@contextmanager
def _pinned_server(behaviour: Behaviour, core: str) -> Iterator[str]:
    with running(behaviour) as url:
        for pid in _children_listening():
            os.sched_setaffinity(pid, {int(core)})
        yield url


def _children_listening() -> list[int]:
    """This process's children: the test server just started (pinned after start)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == os.getpid():
                found.append(int(entry.name))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--part", choices=["capacity", "accuracy", "all"], default="all")
    options = parser.parse_args()
    started = time.monotonic()
    if options.part in ("capacity", "all"):
        capacity(options.seconds)
    if options.part in ("accuracy", "all"):
        accuracy()
    print(f"\n(took {time.monotonic() - started:.0f} s; the machine may be shared: compare ratios)")


if __name__ == "__main__":
    main()
