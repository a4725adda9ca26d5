"""`--readiness-history`: one line per run, read back for trends, robust to damage."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from pytest_readiness.reporting.history import append_history, history_line, read_history
from tests.reporting_samples import load_sample

WHEN = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)


def test_a_line_holds_verdict_counts_and_metrics() -> None:
    report = load_sample()
    line = history_line(report, WHEN)
    assert line["verdict"] == report["verdict"]
    assert line["time"] == "2026-11-26T09:30:00+00:00"
    assert sum(line["findings"].values()) == sum(
        1 for check in report["checks"] for f in check["findings"] if not f["waived"]
    )
    assert line["metrics"]["readiness::coverage:total_percent"] == next(
        c["metrics"]["total_percent"] for c in report["checks"] if c["id"] == "coverage"
    )
    assert "message" not in json.dumps(line)  # no free text: nothing to leak


def test_runs_append_and_read_back_oldest_first(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "history.jsonl"
    report = load_sample()
    for day in range(3):
        report["verdict"] = ["ready", "ready-with-risks", "not-ready"][day]
        append_history(path, report, WHEN + datetime.timedelta(days=day))
    runs = read_history(path)
    assert [run["verdict"] for run in runs] == ["ready", "ready-with-risks", "not-ready"]
    assert len(path.read_text().splitlines()) == 3
    assert read_history(path, limit=2)[0]["verdict"] == "ready-with-risks"


def test_damaged_and_foreign_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    append_history(path, load_sample(), WHEN)
    with path.open("a") as stream:
        stream.write('{"truncated": \n[1, 2]\n{"history_version": 99}\n')
    append_history(path, load_sample(), WHEN)
    assert len(read_history(path)) == 2


def test_a_missing_history_is_empty(tmp_path: Path) -> None:
    assert read_history(tmp_path / "none.jsonl") == []
