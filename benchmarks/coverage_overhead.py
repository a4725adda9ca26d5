"""Wall time of a project's test suite: no coverage, `pytest --cov`, and the `coverage` check.

    python benchmarks/coverage_overhead.py [PROJECT] [--runs N] [--workers N] [--lines]

PROJECT defaults to `examples/service`; it is copied to a temporary directory first, so neither
pytest-cov's `.coverage` nor any cache lands in the repository. Run it with the interpreter whose
cost is wanted (a venv with pytest-readiness, pytest-cov, pytest-xdist and the project's test
dependencies): on Python 3.12+ the check traces with `sys.monitoring` where coverage.py supports
it for the project's settings, pytest-cov with coverage.py's default core. `--lines` turns the
copy's `branch = true` into `branch = false`, for both tools alike: coverage.py measures branches
with `sys.monitoring` only from Python 3.14 on, so on 3.12/3.13 a branch-measuring project shows
the C tracer against the C tracer. Each round runs every variant
once, in turn, so that load from other jobs on the machine falls on all of them alike; the
figures are the medians over the rounds, of wall time and of CPU time (user + system of pytest
and its workers): on a machine shared with other jobs the wall time varies by tens of percent
from run to run, the CPU time much less. The variants:

- `none`: plain `pytest`;
- `pytest-cov`: `pytest --cov --cov-report=term` (the project's configured source, or without
  one what `coverage run` measures, as the check; and pytest-cov's default terminal report: like
  the check, it analyses every file to get the figures; with `--cov-report=` and no `fail_under`
  it would measure and not analyse);
- `gate`: `pytest --readiness --readiness-select project-metadata`: the gate without coverage,
  to separate the gate's own fixed cost from the measurement's;
- `readiness-coverage`: `pytest --readiness --readiness-select coverage` with the early-start
  plugin, i.e. measuring, combining and deciding.

The check's overhead is `readiness-coverage - gate`; pytest-cov's is `pytest-cov - none`; the
last line of each block is their ratio (the goal: at most 1, and at most 0.5 where sysmon applies).
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
VARIANTS: dict[str, list[str]] = {
    "none": [],
    "pytest-cov": ["--cov", "--cov-report=term"],
    "gate": ["--readiness", "--readiness-select", "project-metadata"],
    "readiness-coverage": [
        "--readiness",
        "--readiness-select",
        "coverage",
    ],
}


def run_once(project: Path, extra: list[str], workers: int) -> tuple[float, float]:
    """Wall time and CPU time (of pytest and every process it waited for) of one run."""
    command = [sys.executable, "-m", "pytest", "-q", "-n", str(workers), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=project, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def report(label: str, samples: dict[str, list[float]]) -> None:
    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"{label}:")
    for name, value in median.items():
        spread = f"{min(samples[name]):.2f}-{max(samples[name]):.2f}"
        print(f"  {name:<20} {value:6.2f} s   (range {spread} s)")
    print(f"  pytest-cov overhead  {median['pytest-cov'] - median['none']:6.2f} s")
    print(f"  check overhead       {median['readiness-coverage'] - median['gate']:6.2f} s")
    ratio = median["readiness-coverage"] / median["pytest-cov"]
    print(f"  readiness-coverage / pytest-cov: {ratio:.3f}")
    pytest_cov = median["pytest-cov"] - median["none"]
    check = median["readiness-coverage"] - median["gate"]
    if pytest_cov > 0:
        print(f"  check overhead / pytest-cov overhead: {check / pytest_cov:.2f}")


def lines_only(project: Path) -> None:
    """Measure lines, not branches, in the copy: the project's config files, edited in place."""
    for name in ("pyproject.toml", ".coveragerc", "setup.cfg", "tox.ini"):
        config = project / name
        if config.is_file():
            text = config.read_text("utf-8")
            config.write_text(re.sub(r"(?m)^(\s*branch\s*=\s*)(true|True|1)", r"\1false", text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", type=Path, default=REPOSITORY / "examples/service")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--lines", action="store_true", help="branch = false for both tools")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coverage-overhead-") as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(arguments.project, project, ignore=shutil.ignore_patterns(".pytest_cache"))
        if arguments.lines:
            lines_only(project)
        for extra in VARIANTS.values():  # warm the bytecode caches before timing
            run_once(project, extra, arguments.workers)
        wall: dict[str, list[float]] = {name: [] for name in VARIANTS}
        cpu: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(arguments.runs):
            for name, extra in VARIANTS.items():
                wall_time, cpu_time = run_once(project, extra, arguments.workers)
                wall[name].append(wall_time)
                cpu[name].append(cpu_time)
    measured = "lines" if arguments.lines else "the project's settings"
    print(
        f"project {arguments.project.name}, Python {sys.version.split()[0]}, "
        f"-n {arguments.workers}, {measured}, median of {arguments.runs} runs"
    )
    report("wall time", wall)
    report("CPU time", cpu)


if __name__ == "__main__":
    main()
