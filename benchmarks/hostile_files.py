"""Every file-reading check on a hostile tree: a 200 MB file, a 50 MB one-line file, a FIFO.

    python benchmarks/hostile_files.py [--checks ID,...] [--timeout S] [--memory-mb MB]

Builds two trees in a temporary directory (never in the project): a clean one (a small app, a
Dockerfile, a manifest, a runbook, a requirements file) and the same plus the hostile files.
The big files are hard links under every name some check reads (`.py`, `Dockerfile`, `.yaml`,
`RUNBOOK.md`, `requirements.txt`), so each check meets them without more disk. Each check runs
alone as `pytest --readiness-only --readiness-select ID` in its own process, on each tree;
the wall time and the peak RSS of that process (from `wait4`) are printed side by side with
the hostile/clean ratio. A third tree holds files just under the default caps (1 MB per file,
100 kB per line): a dense module, a module of long lines, a manifest and a runbook, the most
work the caps let through. A process that passes `--timeout` or `--memory-mb` (an
address-space limit, so an unbounded reader fails instead of taking the machine) is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from pytest_readiness.reading import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_LINE_BYTES

CHECKS = (
    "timeouts",
    "bandit",
    "logging",
    "secrets",
    "container",
    "kubernetes",
    "runbook",
    "project-metadata",
    "dependencies",
)
HUGE_BYTES = 200 * 1024 * 1024
ONE_LINE_BYTES = 50 * 1024 * 1024

APP = (
    "import requests\n\n\ndef fetch():\n    return requests.get('https://example.org', timeout=5)\n"
)
CLEAN_FILES = {
    "pyproject.toml": '[project]\nname = "hostile"\nversion = "1"\nrequires-python = ">=3.11"\n',
    "README.md": "# hostile\n",
    "LICENSE": "MIT\n",
    "app/__init__.py": "",
    "app/client.py": APP,
    "Dockerfile": "FROM python:3.12-slim\nUSER app\nHEALTHCHECK CMD true\n",
    "deploy/app.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: []\n",
    "RUNBOOK.md": "# Runbook\n\n## Incident\n\nPage the on-call engineer and follow the steps.\n",
    "requirements.txt": "requests==2.32.3\n",
}
HUGE_NAMES = ("app/huge.py", "deploy/huge.yaml", "docs/runbook-huge.md", "Dockerfile.huge")
ONE_LINE_NAMES = ("app/one_line.py", "deploy/one-line.yaml", "requirements-one-line.txt")


def write_tree(root: Path) -> None:
    for name, text in CLEAN_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def add_hostile_files(root: Path) -> None:
    """The big files once on disk, hard-linked under each name a check reads; and a FIFO."""
    (root / "docs").mkdir(exist_ok=True)
    huge = root / HUGE_NAMES[0]
    line = b"requests.get('https://example.org')\n"
    with huge.open("wb") as stream:
        block = line * (1024 * 1024 // len(line))
        while stream.tell() < HUGE_BYTES:
            stream.write(block)
    one_line = root / ONE_LINE_NAMES[0]
    with one_line.open("wb") as stream:
        stream.write(b"VALUE = '")
        for _ in range(ONE_LINE_BYTES // (1024 * 1024)):
            stream.write(b"a" * (1024 * 1024))
        stream.write(b"'\n")
    for name in HUGE_NAMES[1:]:
        os.link(huge, root / name)
    for name in ONE_LINE_NAMES[1:]:
        os.link(one_line, root / name)
    os.mkfifo(root / "app" / "fifo.py")


@dataclass(frozen=True)
class Run:
    status: str
    wall_s: float
    cpu_s: float
    rss_mb: float


def add_files_at_the_caps(root: Path) -> None:
    """The largest files the default caps let every check read."""
    (root / "docs").mkdir(exist_ok=True)
    size = DEFAULT_MAX_FILE_BYTES - 1000
    line = "requests.get('https://a.test')\n"
    at_cap = line * (size // len(line))
    long_line = "VALUE = '" + "a" * (DEFAULT_MAX_LINE_BYTES - 1000) + "'\n"
    long_lines = long_line * (size // len(long_line))
    for suffix, text in ((".py", at_cap), ("_long.py", long_lines)):
        (root / f"app/at_cap{suffix}").write_text(text)
    (root / "deploy/at-cap.yaml").write_text("apiVersion: v1\nkind: Pod\n" + "# x\n" * (size // 4))
    (root / "docs/runbook-at-cap.md").write_text("# Runbook\n" + "word word\n" * (size // 10))


def run_check(tree: Path, check: str, timeout: float, memory_mb: int) -> Run:
    """One gated pytest run of one check: how it ended, its time and its peak RSS."""
    report = tree.parent / f"{tree.name}-{check}.json"
    command = [
        sys.executable,
        "-P",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--readiness-only",
        "--readiness-no-cache",
        f"--readiness-select={check}",
        f"--readiness-report={report}",
    ]

    def limit() -> None:
        limit_bytes = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=tree,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=limit,
    )
    status = "ok"
    while True:
        pid, code, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > timeout:
            process.kill()
            _, code, usage = os.wait4(process.pid, 0)
            status = f"killed after {timeout:.0f} s"
            break
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    exit_code = os.waitstatus_to_exitcode(code)
    process.returncode = exit_code
    if status == "ok" and exit_code not in (0, 1):
        status = f"exit {exit_code}"
    elif status == "ok":
        (record,) = json.loads(report.read_text("utf-8"))["checks"]
        over = record["metrics"].get("files_over_cap")
        status = (
            f"{record['outcome']} in {record['duration_s']:.2f} s, files_over_cap={over:.0f}"
            if over is not None
            else f"{record['outcome']}: {record['summary'][:60]}"
        )
    return Run(status, elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", default=",".join(CHECKS))
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--memory-mb", type=int, default=3000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="readiness-hostile-") as scratch:
        clean, hostile, capped = (Path(scratch) / name for name in ("clean", "hostile", "capped"))
        for tree in (clean, hostile, capped):
            write_tree(tree)
        add_hostile_files(hostile)
        add_files_at_the_caps(capped)
        print(
            f"{'check':17} {'wall s clean/hostile':>21} {'CPU s clean/hostile':>20} {'ratio':>6} "
            f"{'RSS MB clean/hostile':>21} {'ratio':>6}  hostile run; at the caps"
        )
        for check in options.checks.split(","):
            calm = run_check(clean, check, options.timeout, options.memory_mb)
            hard = run_check(hostile, check, options.timeout, options.memory_mb)
            full = run_check(capped, check, options.timeout, options.memory_mb)
            print(
                f"{check:17} {calm.wall_s:10.2f}/{hard.wall_s:<10.2f} "
                f"{calm.cpu_s:9.2f}/{hard.cpu_s:<10.2f} {hard.cpu_s / calm.cpu_s:6.2f} "
                f"{calm.rss_mb:10.0f}/{hard.rss_mb:<10.0f} {hard.rss_mb / calm.rss_mb:6.2f}  "
                f"{hard.status}; {full.status}, CPU {full.cpu_s:.2f} s, {full.rss_mb:.0f} MB"
            )
    print(textwrap.dedent("""
        Times include starting Python and pytest; wall time depends on the shared machine's
        load, CPU time (user + system of the process and its children) much less. RSS is the
        peak of the pytest process and the children it waited for.
    """).strip())  # fmt: skip


if __name__ == "__main__":
    main()
