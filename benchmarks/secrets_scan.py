"""Measure the `secrets` check: MB/s on a cold and a warm cache, and the findings it reports.

    python benchmarks/secrets_scan.py [TREE] [--source DIR] [--workers N] [--show N]
                                      [--labelled FILES] [--detect-secrets EXE]
                                      [--betterleaks EXE] [--runs N]

Without TREE it copies the `.py` sources of this interpreter's site-packages (about 30 MB of
real library code that holds no real secret) to a temporary directory and scans that, so
every finding it prints is noise. The check runs exactly as the gate runs it: the file
listing, the default skips, the cache (in a fresh temporary directory) and the process pool.

With `--betterleaks EXE` on a tree it also times, side by side and `--runs` times each (the
median is printed, with its ratio to betterleaks): betterleaks over the tree, and the whole
gate as a user runs it, a fresh `pytest --readiness --readiness-select secrets` process with a
cold cache, once as it is and once with no other pytest plugin loaded
(`PYTEST_DISABLE_PLUGIN_AUTOLOAD=1`; a development virtualenv autoloads several).
Wall-clock seconds depend on the machine's load; CPU seconds (user + system, of the process
and its children) much less, so both are printed.

`--labelled FILES` builds a labelled corpus instead: that many small Python and config files,
a third holding one fake credential (every format in turn), a third a look-alike (hashes,
UUIDs, placeholders, documentation keys), and reports recall and noise. `--detect-secrets EXE`
and `--betterleaks EXE` run those scanners on the same tree for a side-by-side (betterleaks
with `--redact` and without validation, so nothing leaves the machine).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from pathlib import Path

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext
from pytest_readiness.checks.secrets import keywords, scanner
from pytest_readiness.checks.secrets import tree as tree_module
from pytest_readiness.checks.secrets.check import SecretsCheck, SecretsSettings
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult


def copy_sources(source: Path, target: Path) -> None:
    """Copy every `.py` file below `source` to the same place below `target`."""
    for path in source.rglob("*.py"):
        if path.is_file() and "__pycache__" not in path.parts:
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def cpu_seconds() -> float:
    """User and system time of this process and of its finished children (the pool)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_check(tree: Path, cache: Path, workers: int) -> tuple[CheckResult, float, float]:
    """The check's result, its wall-clock seconds and the CPU seconds it used."""
    check = SecretsCheck(SecretsSettings(workers=workers))
    context = CheckContext(rootdir=tree, files=ProjectFiles(tree), cache=ContentCache(cache))
    started, cpu = time.perf_counter(), cpu_seconds()
    result = check.run(context)
    return result, time.perf_counter() - started, cpu_seconds() - cpu


FILLER_LINES = [
    "import os",
    "from pathlib import Path",
    "",
    "def handler(event, context):",
    "    return {'status': 200, 'body': event.get('body')}",
    "RETRIES = 3",
    "logger = logging.getLogger(__name__)",
    "# keep the token short-lived; read it from the environment",
    "timeout: 30",
    "    items = [item for item in items if item]",
]


def look_alikes(rng: random.Random) -> list[str]:
    """Lines every scanner meets in real code that hold no credential."""
    digest = hashlib.sha256(rng.randbytes(16)).hexdigest()
    return [
        f'checksum = "{digest}"',
        f'commit = "{hashlib.sha1(rng.randbytes(8), usedforsecurity=False).hexdigest()}"',
        f'request_id = "{uuid.UUID(int=rng.getrandbits(128))}"',
        'password = "changeme"',
        'api_key = "<your-api-key>"',
        'token = os.environ["API_TOKEN"]',
        'password: "${DB_PASSWORD}"',
        "aws_access_key_id = AK" + "IAIOSFODNN7EXAMPLE",
        f'integrity = "sha512-{base64.b64encode(rng.randbytes(64)).decode()}"',
        'secret_name = "prod/db/password"',
        'TOKEN_URL = "https://auth.example.org/oauth/token"',
        f'session_key = "{hashlib.md5(rng.randbytes(8), usedforsecurity=False).hexdigest()}"',
    ]


def build_labelled(tree: Path, files: int, seed: int = 7) -> set[tuple[str, int]]:
    """Write the labelled corpus; returns the (path, line) of every planted credential."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.secrets_samples import MAKERS

    rng = random.Random(seed)
    planted: set[tuple[str, int]] = set()
    rules = sorted(MAKERS)
    for index in range(files):
        lines = [rng.choice(FILLER_LINES) for _ in range(rng.randrange(5, 40))]
        position = rng.randrange(len(lines))
        name = f"module_{index}.py"
        if index % 3 == 0:
            example = MAKERS[rules[(index // 3) % len(rules)]](rng)
            if example.path != "app.py":
                name = f"{index}_{Path(example.path).name}"
            lines[position:position] = example.lines
            planted.add((name, position + 1 + example.offset))
        elif index % 3 == 1:
            lines.insert(position, rng.choice(look_alikes(rng)))
        (tree / name).write_text("\n".join(lines) + "\n")
    return planted


def score(label: str, reported: set[tuple[str, int]], planted: set[tuple[str, int]]) -> None:
    found = len(reported & planted)
    noise = len(reported - planted)
    print(
        f"{label}: found {found}/{len(planted)} ({100 * found / len(planted):.0f}% recall), "
        f"{noise} reported look-alikes (precision "
        f"{100 * found / max(1, found + noise):.0f}%)"
    )


def timed(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, children included) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def side_by_side(tree: Path, scratch: Path, betterleaks_executable: str, runs: int) -> None:
    """Median wall and CPU seconds of betterleaks and of the whole gate, and their ratios."""
    empty = scratch / "empty"
    empty.mkdir()
    commands = {
        "betterleaks": [
            betterleaks_executable,
            str(tree),
            "-o",
            str(scratch / "betterleaks.json"),
            "--redact",
            "--no-banner",
            "--exit-code",
            "0",
        ],
        "pytest --readiness (whole process)": [
            sys.executable,
            "-m",
            "pytest",
            "--readiness",
            "--readiness-select",
            "secrets",
            "-q",
            "--rootdir",
            str(tree),
            "-c",
            os.devnull,
        ],
    }
    gate = commands["pytest --readiness (whole process)"]
    commands["the same, other pytest plugins not loaded"] = [
        *gate[:3],
        "-p",
        "pytest_readiness.plugin",
        *gate[3:],
    ]
    alone = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    medians: dict[str, tuple[float, float]] = {}
    for label, command in commands.items():
        samples = []
        env = alone if "not loaded" in label else None
        for run in range(runs):
            cache = ["-o", f"cache_dir={scratch / f'pytest-cache-{label[:3]}-{run}'}"]
            samples.append(timed(command + cache if "pytest" in command else command, empty, env))
        medians[label] = (
            statistics.median(wall for wall, _ in samples),
            statistics.median(cpu for _, cpu in samples),
        )
    report = json.loads((scratch / "betterleaks.json").read_text())
    print(f"betterleaks findings: {len(report['findings'])}")
    base_wall, base_cpu = medians["betterleaks"]
    for label, (wall, cpu) in medians.items():
        print(
            f"{label}: {wall:.2f} s wall ({wall / base_wall:.2f}x betterleaks), "
            f"{cpu:.2f} s CPU ({cpu / base_cpu:.2f}x)"
        )


def detect_secrets(executable: str, tree: Path) -> tuple[set[tuple[str, int]], float]:
    """The (path, line) pairs detect-secrets reports on `tree`, and its wall-clock seconds."""
    started = time.perf_counter()
    completed = subprocess.run(
        [executable, "scan", "--all-files", "."], cwd=tree, capture_output=True, check=True
    )
    elapsed = time.perf_counter() - started
    results = json.loads(completed.stdout)["results"]
    reported = {
        (path.removeprefix("./"), int(entry["line_number"]))
        for path, entries in results.items()
        for entry in entries
    }
    return reported, elapsed


def betterleaks(executable: str, tree: Path) -> tuple[set[tuple[str, int]], float]:
    """The (path, line) pairs betterleaks reports on `tree` (redacted, no validation)."""
    report = tree.parent / "betterleaks.json"
    started = time.perf_counter()
    subprocess.run(
        [executable, str(tree), "-o", str(report), "--redact", "--no-banner", "--exit-code", "0"],
        capture_output=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    findings = json.loads(report.read_text())["findings"]
    reported = {
        (
            Path(item["location"]["path"]).relative_to(tree).as_posix(),
            item["location"]["start_line"],
        )
        for item in findings
    }
    return reported, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path, help="scan this tree instead of a copy")
    parser.add_argument("--source", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    parser.add_argument("--workers", type=int, default=0, help="0: one process per CPU")
    parser.add_argument("--show", type=int, default=30, help="findings to print")
    parser.add_argument("--labelled", type=int, default=0, help="build a labelled corpus")
    parser.add_argument("--detect-secrets", help="detect-secrets executable to compare with")
    parser.add_argument("--betterleaks", help="betterleaks executable to compare with")
    parser.add_argument("--runs", type=int, default=3, help="side-by-side runs of each tool")
    parser.add_argument(
        "--engine", choices=["best", "re"], default="best", help="re: without Hyperscan"
    )
    options = parser.parse_args(argv)
    if options.engine == "re":
        keywords.hyperscan = None
        scanner.keyword_index.cache_clear()
    if options.labelled:
        return labelled(
            options.labelled, options.detect_secrets, options.betterleaks, options.workers
        )
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="secrets-bench-") as scratch:
        tree = options.tree
        if tree is None:
            tree = Path(scratch) / "tree"
            copy_sources(options.source, tree)
            # Files changed within two seconds of a scan are always re-read (racy stat
            # signatures); wait them out so that the warm run shows the usual case.
            time.sleep(tree_module.RACY_NS / 1e9)
        cache = Path(scratch) / "cache"
        cold, cold_s, cold_cpu = run_check(tree, cache, options.workers)
        warm, warm_s, warm_cpu = run_check(tree, cache, options.workers)
        if options.betterleaks:
            side_by_side(tree, Path(scratch), options.betterleaks, options.runs)
    megabytes = cold.metrics["bytes_scanned"] / 1e6
    print(f"tree: {tree} ({int(cold.metrics['files_scanned'])} files, {megabytes:.1f} MB)")
    print(f"load average before the run: {load:.2f}")
    print(f"keyword engine: {type(scanner.keyword_index()).__name__}")
    print(f"cold: {cold_s:.2f} s = {megabytes / cold_s:.1f} MB/s (CPU {cold_cpu:.2f} s)")
    print(
        f"warm: {warm_s:.3f} s = {megabytes / warm_s:.1f} MB/s (CPU {warm_cpu:.3f} s), "
        f"{100 * warm_s / cold_s:.1f}% of cold"
    )
    print(f"findings: {len(cold.findings)} cold, {len(warm.findings)} warm")
    for finding in cold.findings[: options.show]:
        print(f"  {finding.rule} {finding.path}:{finding.line} {finding.message}")
    return 0


def labelled(
    files: int,
    detect_secrets_executable: str | None,
    betterleaks_executable: str | None,
    workers: int,
) -> int:
    with tempfile.TemporaryDirectory(prefix="secrets-labelled-") as scratch:
        tree = Path(scratch) / "tree"
        tree.mkdir()
        planted = build_labelled(tree, files)
        result, elapsed, _ = run_check(tree, Path(scratch) / "cache", workers)
        ours = {(f.path, f.line) for f in result.findings if f.path and f.line}
        print(f"labelled corpus: {files} files, {len(planted)} planted credentials")
        score(f"pytest-readiness ({elapsed:.2f} s)", ours, planted)
        if detect_secrets_executable:
            theirs, their_elapsed = detect_secrets(detect_secrets_executable, tree)
            score(f"detect-secrets ({their_elapsed:.2f} s)", theirs, planted)
        if betterleaks_executable:
            theirs, their_elapsed = betterleaks(betterleaks_executable, tree)
            score(f"betterleaks ({their_elapsed:.2f} s)", theirs, planted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
