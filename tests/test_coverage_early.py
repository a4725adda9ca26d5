"""Measuring from before the initial conftests load, so their imports of the project count.

That the figures are then exact with -n 0/2/4 is shown in test_coverage_engine.py, whose runs all
use this plugin (the gate registers it); here: what happens without it, and that an unwanted
early tracer goes away.
"""

from __future__ import annotations

import json

import pytest

from pytest_readiness.checks.coverage.early import _chosen
from tests.test_coverage_engine import make_sample

pytestmark = pytest.mark.usefixtures("not_an_xdist_worker")


@pytest.fixture
def sample(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    make_sample(pytester, branch=False, readiness="fail_under = 0\n")
    monkeypatch.setenv("TMPDIR", str(pytester.mkdir("tmp")))
    return pytester


def test_without_the_early_start_conftest_imports_are_missed(sample: pytest.Pytester) -> None:
    result = sample.runpytest_subprocess(
        "-p", "no:pytest_readiness.checks.coverage.early",
        "--readiness", "--readiness-select", "coverage", "--readiness-report", "r.json",
    )  # fmt: skip
    (check,) = json.loads((sample.path / "r.json").read_text("utf-8"))["checks"]
    assert check["outcome"] == "passed", result.stdout.str()
    # calc.py's three `def` lines ran at conftest import, before pytest_configure: 4 of 8 remain.
    assert check["metrics"]["total_percent"] == 50.0


def test_an_unwanted_early_tracer_is_dropped(sample: pytest.Pytester) -> None:
    result = sample.runpytest_subprocess("--readiness", "--readiness-select", "project-metadata")
    assert "readiness::coverage" not in result.stdout.str()
    assert not list((sample.path / "tmp").iterdir())


@pytest.mark.parametrize(
    ("select", "skip", "chosen"),
    [
        (None, None, True),
        ("coverage", None, True),
        ("quality,security", None, True),
        ("secrets", None, False),
        (None, "coverage", False),
        (None, " quality ", False),
        ("coverage", "secrets", True),
    ],
)
def test_chosen_follows_select_and_skip(select: str | None, skip: str | None, chosen: bool) -> None:
    assert _chosen(select, skip) is chosen
