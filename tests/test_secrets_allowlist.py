"""Inline allow comments and the `[tool.readiness.secrets.allowlist]` table."""

from __future__ import annotations

import re

import pytest

from pytest_readiness.checks.secrets.allowlist import (
    AllowlistSettings,
    allowed_by_pattern,
    inline_allowed,
)
from pytest_readiness.settings import SettingsError, load_dataclass


@pytest.mark.parametrize(
    ("line", "previous", "expected"),
    [
        ("x = 1  # readiness: allow-secret", "", True),
        ("x = 1  # pragma: allowlist secret", "", True),
        ("x = 1  // gitleaks:allow", "", True),
        ("x = 1  # READINESS: ALLOW-SECRET", "", True),
        ("x = 1", "# pragma: allowlist nextline secret", True),
        ("x = 1", "# readiness: allow-secret-next-line", True),
        ("x = 1  # readiness: allow-secret-next-line", "", False),
        ("x = 1", "# readiness: allow-secret", False),
        ("x = 1", "", False),
    ],
)
def test_inline_allowed(line: str, previous: str, expected: bool) -> None:
    assert inline_allowed(line, previous) is expected


def test_allows_by_rule_and_path() -> None:
    allowlist = AllowlistSettings(paths=["docs/examples"], rules=["jwt"])
    assert allowlist.allows("jwt", "src/a.py")
    assert allowlist.allows("github-token", "docs/examples/setup.md")
    assert not allowlist.allows("github-token", "src/a.py")


def test_regexes_are_checked_when_settings_load() -> None:
    loaded = load_dataclass(AllowlistSettings, {"regexes": ["^test-"]}, "allowlist")
    assert loaded.compiled()[0].pattern == "^test-"
    with pytest.raises(SettingsError, match="not a regex"):
        load_dataclass(AllowlistSettings, {"regexes": ["("]}, "allowlist")


def test_allowed_by_pattern() -> None:
    assert allowed_by_pattern("test-123", [re.compile("^test-")])
    assert not allowed_by_pattern("prod-123", [re.compile("^test-")])
    assert not allowed_by_pattern("anything", [])
