"""The generic TOML-to-dataclass loader: every accepted value loads, every wrong one is named."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.model import Severity
from pytest_readiness.settings import SettingsError, describe_fields, load, load_dataclass


@dataclass
class Inner:
    name: str
    weight: float = 1.0


@dataclass
class Sample:
    count: int = 0
    ratio: float = 0.5
    enabled: bool = True
    mode: Literal["fast", "slow"] = "fast"
    severity: Severity = Severity.LOW
    until: datetime.date | None = None
    tags: list[str] = field(default_factory=list)
    limits: dict[str, int] = field(default_factory=dict)
    entries: list[Inner] = field(default_factory=list)


@given(
    count=st.integers(),
    ratio=st.floats(allow_nan=False) | st.integers(),
    tags=st.lists(st.text()),
    limits=st.dictionaries(st.text(), st.integers()),
    mode=st.sampled_from(["fast", "slow"]),
    severity=st.sampled_from([s.value for s in Severity]),
)
def test_valid_tables_load_to_equal_values(
    count: int, ratio: float, tags: list[str], limits: dict[str, int], mode: str, severity: str
) -> None:
    raw = {
        "count": count,
        "ratio": ratio,
        "tags": tags,
        "limits": limits,
        "mode": mode,
        "severity": severity,
    }
    loaded = load_dataclass(Sample, raw, "t")
    # a TOML integer for a float setting becomes the nearest float (exact up to 2**53)
    assert (loaded.count, loaded.ratio, loaded.tags, loaded.limits) == (
        count,
        float(ratio),
        tags,
        limits,
    )
    assert isinstance(loaded.ratio, float)
    assert loaded.severity is Severity(severity)


@given(st.one_of(st.text(), st.floats(), st.lists(st.integers()), st.booleans()))
def test_anything_but_an_integer_is_refused_for_an_int(value: object) -> None:
    with pytest.raises(SettingsError) as error:
        load_dataclass(Sample, {"count": value}, "tool.x")
    assert error.value.key == "tool.x.count"
    assert "expected a whole number" in error.value.problem


@pytest.mark.parametrize(
    ("raw", "key", "problem"),
    [
        ({"cuont": 1}, "t.cuont", "unknown key; allowed keys: count, enabled, entries"),
        ({"mode": "medium"}, "t.mode", "got 'medium'; allowed: 'fast', 'slow'"),
        ({"enabled": 1}, "t.enabled", "expected true or false, got a number (1)"),
        ({"entries": [{"weight": 2}]}, "t.entries[0].name", "required key is missing"),
        ({"entries": [{"name": "a", "wieght": 2}]}, "t.entries[0].wieght", "unknown key"),
        ({"until": "2026-13-01"}, "t.until", "expected a date (YYYY-MM-DD)"),
        ({"limits": {"a": "x"}}, "t.limits.a", "expected a whole number"),
        ({"ratio": True}, "t.ratio", "expected a number, got a boolean (True)"),
    ],
)
def test_errors_name_the_key_and_what_is_allowed(
    raw: dict[str, object], key: str, problem: str
) -> None:
    with pytest.raises(SettingsError) as error:
        load_dataclass(Sample, raw, "t")
    assert error.value.key == key
    assert problem in error.value.problem


def test_dates_load_from_toml_dates_and_iso_strings() -> None:
    assert load(datetime.date, datetime.date(2027, 1, 31), "k") == datetime.date(2027, 1, 31)
    assert load(datetime.date, "2027-01-31", "k") == datetime.date(2027, 1, 31)
    with pytest.raises(SettingsError):
        load(datetime.date, datetime.datetime(2027, 1, 31, 12), "k")


def test_validate_hook_reports_cross_field_problems() -> None:
    @dataclass
    class Budget:
        p50: float = 1.0
        p95: float = 2.0

        def validate(self) -> None:
            if self.p50 > self.p95:
                raise ValueError("p50 must not exceed p95")

    with pytest.raises(SettingsError, match="budget: p50 must not exceed p95"):
        load_dataclass(Budget, {"p50": 5.0}, "budget")


def test_describe_fields_lists_keys_types_and_defaults() -> None:
    rows = {name: (kind, default) for name, kind, default in describe_fields(Sample)}
    assert rows["count"] == ("int", "0")
    assert rows["tags"] == ("list[str]", "[]")
    assert rows["mode"][1] == "'fast'"
