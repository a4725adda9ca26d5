"""Measure the `bandit` and `timeouts` checks: files/s cold and warm, and pytest -n 2 against -n 0.

    python benchmarks/static_checks.py [TREE] [--source DIR] [--jobs N] [--no-pytest]

Without TREE it copies the `.py` sources of this interpreter's site-packages (about 30 MB of
real library code) to a temporary directory. Each check runs as the gate runs it (file listing,
cache in a fresh directory, process pool), with `exclude = []` so library test files count too.
Then `pytest --readiness-only --readiness-select bandit,timeouts` runs on the same tree with
`-n 0` and `-n 2`, without the cache, then (after one run that fills it) with a warm cache;
`python -P` keeps the tree's copies of packages from being imported instead of the installed ones.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import Check, CheckContext
from pytest_readiness.checks.insecure_code import BanditCheck
from pytest_readiness.checks.timeouts import TimeoutsCheck
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult

PYPROJECT = """
[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.readiness.bandit]
exclude = []

[tool.readiness.timeouts]
exclude = []
"""


def copy_sources(source: Path, target: Path) -> None:
    """Copy every `.py` file below `source` to the same place below `target`."""
    for path in source.rglob("*.py"):
        if path.is_file() and "__pycache__" not in path.parts:
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def run_check(kind: type[Check], tree: Path, cache: Path, jobs: int) -> tuple[CheckResult, float]:
    check = kind(kind.Settings(exclude=[], jobs=jobs))
    context = CheckContext(rootdir=tree, files=ProjectFiles(tree), cache=ContentCache(cache))
    started = time.perf_counter()
    result = check.run(context)
    return result, time.perf_counter() - started


def measure_check(kind: type[Check], tree: Path, scratch: Path, jobs: int) -> tuple[float, float]:
    """Cold and warm seconds of one check on the tree."""
    cache = scratch / f"cache-{kind.id}"
    cold, cold_s = run_check(kind, tree, cache, jobs)
    warm, warm_s = run_check(kind, tree, cache, jobs)
    files = cold.metrics["files_scanned"]
    megabytes = cold.metrics["bytes_scanned"] / 1e6
    print(
        f"{kind.id:9} cold {cold_s:7.2f} s = {files / cold_s:7.0f} files/s "
        f"({megabytes / cold_s:5.2f} MB/s); warm {warm_s:6.2f} s = {files / warm_s:7.0f} files/s; "
        f"{len(cold.findings)} findings, {int(warm.metrics['files_cached'])} cached warm"
    )
    return cold_s, warm_s


def time_bandit_cli(tree: Path) -> float:
    """The bandit command line on the same tree: the peer `timeouts` is measured against."""
    bandit = Path(sys.executable).parent / "bandit"
    command = [str(bandit), "-r", str(tree), "-q", "-f", "json", "-o", os.devnull]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, check=False, timeout=3600)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"bandit ended with {completed.returncode}: {completed.stderr[-500:]!r}")
    return elapsed


def time_pytest(tree: Path, workers: int, cached: bool) -> float:
    command = [
        sys.executable,
        "-P",
        "-m",
        "pytest",
        "--readiness-only",
        "--readiness-select",
        "bandit,timeouts",
        "-n",
        str(workers),
        "-q",
        "-p",
        "no:randomly",
    ]
    if not cached:
        command.append("--readiness-no-cache")
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=tree, capture_output=True, check=False, timeout=3600)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        output = completed.stdout.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(command)} ended with {completed.returncode}:\n{output}")
    return elapsed


def load() -> str:
    """Other work on the machine skews every figure here, so the output says how busy it was."""
    return " ".join(f"{figure:.1f}" for figure in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path, help="analyse this tree instead of a copy")
    parser.add_argument("--source", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    parser.add_argument("--jobs", type=int, default=0, help="0: one process per CPU")
    parser.add_argument("--no-pytest", action="store_true", help="skip the pytest -n timings")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="static-bench-") as scratch_name:
        scratch = Path(scratch_name)
        tree = options.tree
        if tree is None:
            tree = scratch / "tree"
            copy_sources(options.source, tree)
        files = ProjectFiles(tree).select(suffixes=(".py",))
        megabytes = sum(file.size for file in files) / 1e6
        print(f"tree: {tree} ({len(files)} .py files, {megabytes:.1f} MB), jobs={options.jobs}")
        print(f"load average before: {load()}, CPUs: {os.cpu_count()}")
        measure_check(BanditCheck, tree, scratch, options.jobs)
        cold_s, warm_s = measure_check(TimeoutsCheck, tree, scratch, options.jobs)
        cli_s = time_bandit_cli(tree)
        print(
            f"bandit CLI {cli_s:7.2f} s; timeouts cold / bandit CLI = {cold_s / cli_s:.3f} "
            f"(target <= 0.3), timeouts warm / cold = {warm_s / cold_s:.3f} (target <= 0.1)"
        )
        if not options.no_pytest:
            (tree / "pyproject.toml").write_text(PYPROJECT, "utf-8")
            (tree / "tests").mkdir(exist_ok=True)
            cold_zero, cold_two = time_pytest(tree, 0, False), time_pytest(tree, 2, False)
            print(f"pytest no cache:   -n 0 {cold_zero:6.2f} s, -n 2 {cold_two:6.2f} s")
            time_pytest(tree, 0, True)
            warm_zero, warm_two = time_pytest(tree, 0, True), time_pytest(tree, 2, True)
            print(f"pytest warm cache: -n 0 {warm_zero:6.2f} s, -n 2 {warm_two:6.2f} s")
        print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
