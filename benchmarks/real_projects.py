"""Run the static checks on the sources of real projects and count findings per check and rule.

    python benchmarks/real_projects.py --download DIR          # fetch and unpack the sdists
    python benchmarks/real_projects.py DIR --out after.json    # run the checks on every tree
    python benchmarks/real_projects.py --compare before.json after.json

Each tree is checked as the gate checks a project with no `[tool.readiness]` table: every
check with its default settings, no cache, then the gate's merge of findings that name the same
problem. The figures include what each check left out by default (its `*_left_out` metrics), so
a table built from them hides nothing. To get the "before" figures, run the same command with
`PYTHONPATH` pointing at the `src/` of another checkout (e.g. `git archive main src`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import Check, CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks import builtin
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckRecord, Outcome

PROJECTS = (
    "requests",
    "itsdangerous",
    "markupsafe",
    "attrs",
    "httpx",
    "tweepy",
    "slack_sdk",
    "stripe",
    "openai",
    "flask",
    "celery",
    "redis",
    "boto3",
    "sqlalchemy",
    "gunicorn",
)
PIP_DOWNLOAD = (sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:")
CHECKS = ("bandit", "timeouts", "logging", "container", "kubernetes", "dependencies", "pipelines")


def download(directory: Path) -> None:
    """`pip download` each project's sdist (no wheels, no dependencies) and unpack it."""
    directory.mkdir(parents=True, exist_ok=True)
    archives = directory / "sdists"
    for name in PROJECTS:
        subprocess.run(
            [*PIP_DOWNLOAD, name, "-d", str(archives)],
            check=True,
            timeout=900,
        )
    for archive in sorted(archives.glob("*.tar.gz")):
        with tarfile.open(archive) as bundle:
            bundle.extractall(directory, filter="data")


def run_tree(tree: Path, kinds: dict[str, type[Check]]) -> tuple[list[CheckRecord], float]:
    context = CheckContext(rootdir=tree, files=ProjectFiles(tree), cache=ContentCache(None))
    records = []
    started = time.perf_counter()
    for check_id in CHECKS:
        if check_id not in kinds:
            continue
        kind = kinds[check_id]
        record = CheckRecord(
            check_id, f"readiness::{check_id}", kind.category, kind.severity, Outcome.PASSED
        )
        try:
            result = kind(kind.Settings()).run(context)
        except CheckSkipped as skipped:
            record.outcome, record.summary = Outcome.SKIPPED, str(skipped)
        except CheckError as error:
            record.outcome, record.summary = Outcome.ERROR, str(error)
        else:
            record.findings, record.metrics, record.summary = (
                result.findings,
                result.metrics,
                result.summary,
            )
        records.append(record)
    return merged(records), time.perf_counter() - started


def merged(records: list[CheckRecord]) -> list[CheckRecord]:
    """The gate's merge of duplicate findings, when this checkout has one."""
    try:
        from pytest_readiness.dedupe import merge_duplicates
    except ImportError:
        return records
    return merge_duplicates(records)


def summarise(record: CheckRecord) -> dict[str, Any]:
    return {
        "outcome": record.outcome.value,
        "findings": len(record.findings),
        "rules": dict(Counter(finding.rule for finding in record.findings).most_common()),
        "left_out": {
            name: int(value)
            for name, value in record.metrics.items()
            if "left_out" in name or "merged" in name
        },
        "all": [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "path": f.path,
                "line": f.line,
                "message": f.message,
            }
            for f in record.findings
        ],
    }


def run_all(trees: list[Path], out: Path) -> None:
    kinds = {kind.id: kind for kind in builtin.pytest_readiness_checks()}
    results: dict[str, Any] = {}
    for tree in trees:
        records, seconds = run_tree(tree, kinds)
        results[tree.name] = {record.id: summarise(record) for record in records}
        counts = ", ".join(f"{r.id} {len(r.findings)}" for r in records)
        print(f"{tree.name}: {counts} ({seconds:.1f} s)", flush=True)
    out.write_text(json.dumps(results, indent=1) + "\n", "utf-8")


def cell(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    def text(entry: dict[str, Any] | None) -> str:
        if entry is None:
            return "n/a"
        if entry["outcome"] in ("skipped", "error"):
            return entry["outcome"]
        return str(entry["findings"])

    left = sum((after or {}).get("left_out", {}).values())
    return f"{text(before)} → {text(after)}" + (f" (+{left} left out)" if left else "")


def compare(before_path: Path, after_path: Path) -> None:
    before = json.loads(before_path.read_text("utf-8"))
    after = json.loads(after_path.read_text("utf-8"))
    print("| project | " + " | ".join(CHECKS) + " |")
    print("| --- |" + " --- |" * len(CHECKS))
    for project in after:
        cells = [cell(before.get(project, {}).get(c), after[project].get(c)) for c in CHECKS]
        print(f"| {project} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "trees", nargs="*", type=Path, help="unpacked source trees, or their parent"
    )
    parser.add_argument(
        "--download", type=Path, help="fetch and unpack the sdists into this directory"
    )
    parser.add_argument("--out", type=Path, default=Path("findings.json"))
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    options = parser.parse_args(argv)
    if options.download is not None:
        download(options.download)
        return 0
    if options.compare is not None:
        compare(*options.compare)
        return 0
    trees = [
        child
        for tree in options.trees
        for child in ([tree] if (tree / "PKG-INFO").is_file() else sorted(tree.iterdir()))
        if child.is_dir() and (child / "PKG-INFO").is_file()
    ]
    if not trees:
        parser.error("no unpacked sdist (a directory with PKG-INFO) among the trees given")
    run_all(trees, options.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
