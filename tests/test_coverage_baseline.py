"""The ratchet file round-trips exactly and is written so that reviews diff well."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.coverage.baseline import Baseline, BaselineError

figures = st.decimals(0, 100, places=2, allow_nan=False).map(lambda value: value.normalize())


def test_missing_file_means_no_baseline_yet(tmp_path: Path) -> None:
    assert Baseline.load(tmp_path / "absent.json") is None


def test_saved_file_has_sorted_keys_and_a_final_newline(tmp_path: Path) -> None:
    path = tmp_path / ".readiness" / "coverage-baseline.json"
    files = {"src/z.py": Decimal("50"), "src/a.py": Decimal("87.5")}
    Baseline(Decimal("88"), branch=True, precision=1, files=files).save(path)
    assert path.read_text("utf-8") == (
        "{\n"
        '  "branch": true,\n'
        '  "files": {\n'
        '    "src/a.py": 87.5,\n'
        '    "src/z.py": 50\n'
        "  },\n"
        '  "precision": 1,\n'
        '  "total": 88,\n'
        '  "version": 1\n'
        "}\n"
    )
    assert [entry.name for entry in path.parent.iterdir()] == ["coverage-baseline.json"]


@given(figures, st.dictionaries(st.from_regex(r"[a-z]{1,8}\.py", fullmatch=True), figures))
def test_round_trip_keeps_every_figure(total: Decimal, files: dict[str, Decimal]) -> None:
    baseline = Baseline(total, branch=False, precision=2, files=files)
    data = baseline.dumps()
    assert json.loads(data)["total"] == float(total)
    assert Baseline.loads(data) == baseline
    assert Baseline.loads(data).dumps() == data


def test_load_reads_back_what_save_wrote(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    baseline = Baseline(Decimal("91.25"), branch=False, precision=2, files={"a.py": Decimal("0")})
    baseline.save(path)
    assert Baseline.load(path) == baseline


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"total": 90}',
        '{"total": "90", "branch": false, "precision": 0, "files": {}}',
        '{"total": 101, "branch": false, "precision": 0, "files": {}}',
        '{"total": NaN, "branch": false, "precision": 0, "files": {}}',
        '{"total": 90, "branch": false, "precision": 0, "files": {"a.py": true}}',
    ],
)
def test_a_broken_file_is_an_error_not_an_empty_baseline(tmp_path: Path, text: str) -> None:
    path = tmp_path / "coverage-baseline.json"
    path.write_text(text, "utf-8")
    with pytest.raises(BaselineError, match=r"coverage-baseline\.json"):
        Baseline.load(path)
