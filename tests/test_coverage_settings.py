"""`[tool.readiness.coverage]` is read through the generic loader and rejects impossible values."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_readiness.checks.coverage.settings import CoverageSettings
from pytest_readiness.settings import SettingsError, load_dataclass

KEY = "tool.readiness.coverage"


def test_defaults_defer_to_coverage_configuration() -> None:
    settings = load_dataclass(CoverageSettings, {}, KEY)
    assert settings.fail_under is None
    assert settings.precision is None
    assert settings.branch is None
    assert settings.file_minimum is None
    assert settings.baseline == ".readiness/coverage-baseline.json"
    assert settings.tolerance == 0.0


def test_a_full_table_loads() -> None:
    raw = {
        "fail_under": 85,
        "file_minimum": 50.5,
        "branch": True,
        "include": ["src/*"],
        "omit": ["src/generated/*"],
        "precision": 1,
        "baseline": "ci/coverage.json",
        "tolerance": 0.5,
    }
    settings = load_dataclass(CoverageSettings, raw, KEY)
    assert settings == CoverageSettings(
        fail_under=85.0,
        file_minimum=50.5,
        branch=True,
        include=["src/*"],
        omit=["src/generated/*"],
        precision=1,
        baseline="ci/coverage.json",
        tolerance=0.5,
    )


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"fail_under": 100.5}, "fail_under must be between 0 and 100"),
        ({"file_minimum": -1}, "file_minimum must be between 0 and 100"),
        ({"precision": 11}, "precision must be between 0 and 10"),
        ({"tolerance": -0.1}, "tolerance must be between 0 and 100"),
        ({"baseline": "/etc/coverage.json"}, "baseline must be a path inside the project"),
        ({"baseline": "../coverage.json"}, "baseline must be a path inside the project"),
        ({"fail_under": "90"}, "expected a number"),
        ({"failunder": 90}, "unknown key"),
    ],
)
def test_bad_values_name_the_key(raw: dict[str, Any], named: str) -> None:
    with pytest.raises(SettingsError, match=named) as caught:
        load_dataclass(CoverageSettings, raw, KEY)
    assert caught.value.key.startswith(KEY)
