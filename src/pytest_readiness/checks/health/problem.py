"""What an expectation found wrong, before the check turns it into a finding."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_readiness.model import Severity


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str
    severity: Severity | None = None
    """None: the check's own (configured) severity."""
    fix: str = ""
    key: str | None = None
    """What identifies the problem across runs when the message holds measured figures."""
