"""The result model every part of the gate reads: severities, findings, check records.

Everything here is plain data that survives a round trip through JSON, because check results
travel from pytest-xdist workers to the controller inside test reports.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    """How much a failure matters; critical and high block the release."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def blocking(self) -> bool:
        return self in (Severity.CRITICAL, Severity.HIGH)

    @property
    def rank(self) -> int:
        """0 for critical up to 3 for low, so sorting puts the worst first."""
        return list(Severity).index(self)


class Category(enum.StrEnum):
    QUALITY = "quality"
    SUPPLY_CHAIN = "supply-chain"
    SECURITY = "security"
    RELIABILITY = "reliability"
    OPERATIONS = "operations"


class Outcome(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


def fingerprint(check_id: str, rule: str, path: str | None, key: str) -> str:
    """A finding's identity across runs: it leaves out the line so moving code keeps it."""
    material = "\0".join((check_id, rule, path or "", key))
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:24]


@dataclass(frozen=True)
class Finding:
    """One reason a check is not satisfied, pointing at a place in the project where it can."""

    rule: str
    message: str
    severity: Severity
    fingerprint: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    fix: str = ""
    waived: bool = False
    also_reported_by: tuple[str, ...] = ()
    """Other checks' findings of the same problem merged into this one, as `check:rule`."""

    def location(self) -> str:
        if self.path is None:
            return ""
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        if self.also_reported_by:
            data["also_reported_by"] = list(self.also_reported_by)
        else:
            del data["also_reported_by"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            **{
                **data,
                "severity": Severity(data["severity"]),
                "also_reported_by": tuple(data.get("also_reported_by", ())),
            }
        )


@dataclass
class CheckResult:
    """What a check returns: its findings, the figures it measured and a one-line summary."""

    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    summary: str = ""
    histograms: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Distributions for the reports to draw (name -> `{"unit", "count", "bins": [...]}`)."""
    series: dict[str, dict[str, float]] = field(default_factory=dict)
    """Figures per label for the reports to draw (`coverage_percent_by_file`: path -> percent)."""


@dataclass
class CheckRecord:
    """The outcome of one check item (or readiness-marked test) as the verdict sees it."""

    id: str
    nodeid: str
    category: Category
    severity: Severity
    outcome: Outcome
    summary: str = ""
    duration_s: float = 0.0
    metrics: dict[str, float] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    item: str | None = None
    """The review catalogue item a marked test proves (`@pytest.mark.readiness(item=...)`)."""
    histograms: dict[str, dict[str, Any]] = field(default_factory=dict)
    series: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def open_findings(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.waived]

    @property
    def blocking(self) -> bool:
        """Whether this record alone makes the verdict not-ready."""
        if self.outcome is Outcome.ERROR:
            return self.severity.blocking
        return any(finding.severity.blocking for finding in self.open_findings)

    @property
    def risky(self) -> bool:
        if self.outcome is Outcome.ERROR:
            return not self.severity.blocking
        return any(not finding.severity.blocking for finding in self.open_findings)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "nodeid": self.nodeid,
            "category": self.category.value,
            "severity": self.severity.value,
            "outcome": self.outcome.value,
            "summary": self.summary,
            "duration_s": round(self.duration_s, 4),
            "metrics": dict(self.metrics),
            "findings": [finding.to_dict() for finding in self.findings],
            "error": self.error,
            "item": self.item,
        }
        if self.histograms:
            data["histograms"] = self.histograms
        if self.series:
            data["series"] = self.series
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckRecord:
        return cls(
            id=data["id"],
            nodeid=data["nodeid"],
            category=Category(data["category"]),
            severity=Severity(data["severity"]),
            outcome=Outcome(data["outcome"]),
            summary=data.get("summary", ""),
            duration_s=float(data.get("duration_s", 0.0)),
            metrics=dict(data.get("metrics", {})),
            findings=[Finding.from_dict(item) for item in data.get("findings", [])],
            error=data.get("error"),
            item=data.get("item"),
            histograms=dict(data.get("histograms", {})),
            series={name: dict(values) for name, values in data.get("series", {}).items()},
        )


@dataclass(frozen=True)
class FailedTest:
    nodeid: str
    path: str | None
    line: int | None
    message: str


@dataclass
class TestRun:
    """The ordinary tests' outcomes, as counted on the controller."""

    __test__ = False

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errors: int = 0
    failures: list[FailedTest] = field(default_factory=list)

    @property
    def ran(self) -> int:
        return self.passed + self.failed + self.errors

    def counts(self) -> dict[str, int]:
        return {
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "errors": self.errors,
        }
