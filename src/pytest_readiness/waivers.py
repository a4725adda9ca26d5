"""Waivers: an accepted finding needs a reason and an expiry, and expires loudly."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from pytest_readiness.model import Finding


@dataclass(frozen=True)
class Waiver:
    """One `[[tool.readiness.waivers]]` entry; unset `rule`/`path`/`fingerprint` match anything."""

    check: str
    """The id of the check whose findings this waives."""
    reason: str
    """Why the finding is accepted; must not be empty."""
    expires: datetime.date
    """The last day the waiver is in force; after it the verdict is not-ready until it goes."""
    rule: str | None = None
    """Only findings of this rule."""
    path: str | None = None
    """Only findings in this file (relative to the rootdir, `/`-separated)."""
    fingerprint: str | None = None
    """Only the finding with this fingerprint (from the JSON report)."""

    def validate(self) -> None:
        if not self.reason.strip():
            raise ValueError("a waiver needs a non-empty `reason`")

    def expired(self, today: datetime.date) -> bool:
        return self.expires < today

    def covers(self, check_id: str, finding: Finding) -> bool:
        return (
            self.check == check_id
            and self.rule in (None, finding.rule)
            and self.path in (None, finding.path)
            and self.fingerprint in (None, finding.fingerprint)
        )

    def label(self) -> str:
        scope = ", ".join(
            f"{name}={value}"
            for name, value in (
                ("rule", self.rule),
                ("path", self.path),
                ("fingerprint", self.fingerprint),
            )
            if value is not None
        )
        return f"{self.check} ({scope})" if scope else self.check


def apply_waivers(
    check_id: str, findings: Iterable[Finding], waivers: Iterable[Waiver], today: datetime.date
) -> list[Finding]:
    """Mark findings that a waiver in force covers; an expired waiver covers nothing."""
    in_force = [waiver for waiver in waivers if not waiver.expired(today)]
    return [
        dataclasses.replace(finding, waived=True)
        if any(waiver.covers(check_id, finding) for waiver in in_force)
        else finding
        for finding in findings
    ]
