"""Bandit rates each issue twice (severity and confidence); the gate needs one severity.

The table below is the default; `[tool.readiness.bandit.severity_map]` overrides single cells,
e.g. `high = { low = "low" }`, and `"ignore"` drops a cell's issues altogether.
"""

from __future__ import annotations

from typing import Literal

from pytest_readiness.model import Severity

MappedSeverity = Literal["critical", "high", "medium", "low", "ignore"]
LEVELS = ("high", "medium", "low")

DEFAULT_SEVERITY_MAP: dict[str, dict[str, MappedSeverity]] = {
    "high": {"high": "high", "medium": "high", "low": "medium"},
    "medium": {"high": "medium", "medium": "medium", "low": "medium"},
    "low": {"high": "low", "medium": "low", "low": "low"},
}
"""Rows are bandit's severity, columns its confidence."""


def validate_overrides(overrides: dict[str, dict[str, MappedSeverity]]) -> None:
    """Reject rows or columns that are not bandit levels, naming the allowed ones."""
    for severity, row in overrides.items():
        if severity not in LEVELS:
            raise ValueError(f"severity_map.{severity}: bandit severities are {', '.join(LEVELS)}")
        for confidence in row:
            if confidence not in LEVELS:
                raise ValueError(
                    f"severity_map.{severity}.{confidence}: "
                    f"bandit confidences are {', '.join(LEVELS)}"
                )


class SeverityMap:
    """The default table with the project's overrides laid over it, cell by cell."""

    def __init__(self, overrides: dict[str, dict[str, MappedSeverity]]) -> None:
        self.table = {
            severity: {**row, **overrides.get(severity, {})}
            for severity, row in DEFAULT_SEVERITY_MAP.items()
        }

    def severity(self, bandit_severity: str, bandit_confidence: str) -> Severity | None:
        """Our severity for a bandit rating, or None when the table ignores it.

        Bandit's UNDEFINED rating, used by a few plugins, counts as low.
        """
        row = self.table[_level(bandit_severity)]
        mapped = row[_level(bandit_confidence)]
        return None if mapped == "ignore" else Severity(mapped)


def _level(rating: str) -> str:
    rating = rating.lower()
    return rating if rating in LEVELS else "low"
