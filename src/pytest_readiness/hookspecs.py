"""Hooks other packages implement to add readiness checks or adjust what they find.

Implement them in a `conftest.py` at the rootdir or in a plugin registered through the
`pytest11` entry point; a check added here runs, reports and counts exactly like a built-in one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_readiness.check import Check
    from pytest_readiness.model import Finding


@pytest.hookspec
def pytest_readiness_checks() -> list[type[Check]]:  # type: ignore[empty-body]
    """Return check classes to add to the gate; every implementation's list is used."""


@pytest.hookspec
def pytest_readiness_modify_findings(check: Check, findings: list[Finding]) -> None:
    """Filter or change a check's findings in place before waivers and the verdict see them."""


@pytest.hookspec
def pytest_readiness_report(report: dict[str, Any], config: pytest.Config) -> None:
    """Called once on the controller with the finished JSON report, before it is written."""
