"""`--readiness-history PATH`: one JSON line per run, so trends survive across CI runs.

A line holds what a trend needs and nothing that could leak: the verdict, counts, the review's
counts and each check's numeric metrics (already masked and numeric by construction). Lines
that cannot be parsed (a truncated write, a hand edit) are skipped when read, never fatal.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HISTORY_VERSION = 1
TAIL_BYTES = 1 << 20
"""How much of the end of a history file is read back for a trend."""


def history_line(report: Mapping[str, Any], when: datetime.datetime) -> dict[str, Any]:
    """The record of one run, from its JSON report."""
    severities: Counter[str] = Counter(
        finding["severity"]
        for check in report["checks"]
        for finding in check["findings"]
        if not finding.get("waived")
    )
    line: dict[str, Any] = {
        "history_version": HISTORY_VERSION,
        "time": when.isoformat(timespec="seconds"),
        "verdict": report["verdict"],
        "exit_status": report["exit_status"],
        "duration_s": report["duration_s"],
        "tests": dict(report["tests"]),
        "findings": {s: severities.get(s, 0) for s in ("critical", "high", "medium", "low")},
        "checks": {check["nodeid"]: check["outcome"] for check in report["checks"]},
        "metrics": {
            f"{check['nodeid']}:{name}": value
            for check in report["checks"]
            for name, value in check.get("metrics", {}).items()
        },
    }
    review = report.get("review")
    if review:
        line["review"] = dict(review["counts"])
    return line


def append_history(path: Path, report: Mapping[str, Any], when: datetime.datetime) -> None:
    """Append this run as one line; the file is created with its folder when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(history_line(report, when), sort_keys=True, separators=(",", ":"))
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text + "\n")


def read_history(path: Path, limit: int = 50) -> list[dict[str, Any]]:
    """The last `limit` readable runs, oldest first; a missing file is an empty history."""
    try:
        with path.open("rb") as stream:
            size = stream.seek(0, 2)
            stream.seek(max(0, size - TAIL_BYTES))
            tail = stream.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return []
    runs = []
    for raw in tail.splitlines():
        try:
            run = json.loads(raw)
        except ValueError:
            continue
        if isinstance(run, dict) and run.get("history_version") == HISTORY_VERSION:
            runs.append(run)
    return runs[-limit:]
