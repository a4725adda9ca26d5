"""`review`: the whole review held to its evidence, item by item, once every other record exists.

It runs last on the central process (after the tests, the other checks and the deferred ones),
because its evidence is their records. A project opts in by choosing a `profile`; without one
there is no `review` item at all, so adding the plugin never holds a project to ~250 items.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pytest_readiness.attestations import Attestation
from pytest_readiness.catalogue import load_catalogue
from pytest_readiness.check import (
    ATTESTATIONS_ARTIFACT,
    RECORDS_ARTIFACT,
    REVIEW_ARTIFACT,
    Check,
    CheckContext,
)
from pytest_readiness.model import Category, CheckRecord, CheckResult, Severity
from pytest_readiness.review import CHECK_ID, ReviewInput, assess, findings, summary

Profile = Literal["", "service", "library", "ai-service"]


@dataclass
class ReviewSettings:
    profile: Profile = ""
    """Which items apply: `service`, `library` or `ai-service`; empty leaves the review out."""
    not_applicable: dict[str, str] = field(default_factory=dict)
    """Item id -> why it does not apply here (counted as done, listed with the reason)."""

    def validate(self) -> None:
        catalogue = load_catalogue()
        for item_id, reason in self.not_applicable.items():
            if catalogue.get(item_id) is None:
                raise ValueError(f"not_applicable names {item_id!r}, which is no catalogue item")
            if not reason.strip():
                raise ValueError(f"not_applicable.{item_id} needs a reason")


class ReviewCheck(Check):
    id = CHECK_ID
    category = Category.OPERATIONS
    severity = Severity.HIGH
    description = "Every item of the readiness review has evidence: a check, a test or a person"
    Settings = ReviewSettings
    deferred = True
    reads_records = True

    @classmethod
    def instances(cls, settings: Any, *, severity: Severity | None = None) -> Sequence[Check]:
        return super().instances(settings, severity=severity) if settings.profile else []

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: ReviewSettings = self.settings
        catalogue = load_catalogue()
        profile = settings.profile
        records: list[CheckRecord] = ctx.artifacts.get(RECORDS_ARTIFACT, [])
        attestations: list[Attestation] = ctx.artifacts.get(ATTESTATIONS_ARTIFACT, [])
        given = ReviewInput(
            catalogue,
            profile,
            records,
            attestations,
            settings.not_applicable,
            datetime.date.today(),
            ctx.rootdir,
        )
        statuses = assess(given)
        shown = summary(catalogue, profile, statuses)
        ctx.artifacts[REVIEW_ARTIFACT] = shown
        counts = ", ".join(f"{value} {name}" for name, value in shown["counts"].items() if value)
        configured = self.effective_severity if self.effective_severity != self.severity else None
        result = CheckResult(findings=findings(statuses, configured))
        result.metrics = {name: float(value) for name, value in shown["counts"].items()}
        result.summary = f"{profile} profile: {shown['status']} ({counts})"
        return result
