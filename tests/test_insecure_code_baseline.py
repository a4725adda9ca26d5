"""The file of accepted bandit findings: round trip, missing file, broken file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_readiness.check import CheckError
from pytest_readiness.checks.insecure_code import baseline
from pytest_readiness.model import Finding, Severity


def finding(fingerprint: str, path: str) -> Finding:
    return Finding("B602", "shell=True", Severity.HIGH, fingerprint, path=path, line=3)


def test_written_findings_are_accepted_by_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / ".readiness" / "bandit-baseline.json"

    baseline.write(path, [finding("bbb", "src/b.py"), finding("aaa", "src/a.py")])

    assert baseline.load(path) == {"aaa", "bbb"}
    entries = json.loads(path.read_text("utf-8"))["accepted"]
    assert [entry["path"] for entry in entries] == ["src/a.py", "src/b.py"]
    assert "line" not in entries[0]


def test_a_missing_baseline_accepts_nothing(tmp_path: Path) -> None:
    assert baseline.load(tmp_path / "absent.json") == frozenset()


@pytest.mark.parametrize("text", ["{not json", '{"accepted": {}}', '{"accepted": [{"rule": 1}]}'])
def test_a_broken_baseline_stops_the_check(tmp_path: Path, text: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(text, "utf-8")

    with pytest.raises(CheckError, match=r"bandit baseline baseline\.json"):
        baseline.load(path)
