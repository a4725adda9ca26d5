"""Bandit's severity x confidence onto the gate's severities, with the project's overrides."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.insecure_code.check import BanditSettings
from pytest_readiness.checks.insecure_code.severity_map import (
    DEFAULT_SEVERITY_MAP,
    LEVELS,
    SeverityMap,
)
from pytest_readiness.model import Severity
from pytest_readiness.settings import SettingsError, load_dataclass

ratings = st.sampled_from(["HIGH", "MEDIUM", "LOW", "high", "Medium"])


@pytest.mark.parametrize(
    ("severity", "confidence", "expected"),
    [
        ("HIGH", "HIGH", Severity.HIGH),
        ("HIGH", "MEDIUM", Severity.HIGH),
        ("HIGH", "LOW", Severity.MEDIUM),
        ("MEDIUM", "HIGH", Severity.MEDIUM),
        ("MEDIUM", "LOW", Severity.MEDIUM),
        ("LOW", "HIGH", Severity.LOW),
        ("UNDEFINED", "HIGH", Severity.LOW),
    ],
)
def test_default_table(severity: str, confidence: str, expected: Severity) -> None:
    assert SeverityMap({}).severity(severity, confidence) is expected


def test_overrides_replace_single_cells_and_ignore_drops_issues() -> None:
    mapping = SeverityMap({"high": {"low": "high"}, "low": {"low": "ignore"}})

    assert mapping.severity("HIGH", "LOW") is Severity.HIGH
    assert mapping.severity("HIGH", "MEDIUM") is Severity.HIGH
    assert mapping.severity("LOW", "LOW") is None
    assert mapping.severity("LOW", "HIGH") is Severity.LOW


@given(
    row=st.sampled_from(LEVELS),
    column=st.sampled_from(LEVELS),
    value=st.sampled_from(["critical", "high", "medium", "low"]),
    severity=ratings,
    confidence=ratings,
)
def test_an_override_changes_its_cell_and_no_other(
    row: str, column: str, value: str, severity: str, confidence: str
) -> None:
    mapping = SeverityMap({row: {column: value}})  # type: ignore[dict-item]

    mapped = mapping.severity(severity, confidence)

    if (severity.lower(), confidence.lower()) == (row, column):
        assert mapped == Severity(value)
    else:
        assert mapped == Severity(DEFAULT_SEVERITY_MAP[severity.lower()][confidence.lower()])


def test_the_settings_loader_takes_a_toml_table() -> None:
    settings = load_dataclass(
        BanditSettings, {"severity_map": {"medium": {"low": "low"}}}, "tool.readiness.bandit"
    )

    assert SeverityMap(settings.severity_map).severity("MEDIUM", "LOW") is Severity.LOW


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"severe": {"low": "low"}}, "severity_map.severe: bandit severities"),
        ({"high": {"certain": "low"}}, "severity_map.high.certain: bandit confidences"),
        ({"high": {"low": "urgent"}}, "allowed: 'critical'"),
    ],
)
def test_bad_tables_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_dataclass(BanditSettings, {"severity_map": table}, "tool.readiness.bandit")
