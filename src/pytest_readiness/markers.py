"""`@pytest.mark.readiness(...)`: the project's own tests taking part in the verdict."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_readiness.model import Category, CheckRecord, Finding, Outcome, Severity, fingerprint

MARKER = "readiness"
MARKER_HELP = (
    "readiness(id=None, category='reliability', severity='high', item=None): this test takes "
    "part in the readiness verdict; a failure of medium or low severity is reported as a risk; "
    "`item` names the review catalogue item it proves"
)
FAILED_RULE = "test-failed"
SCAN_CHUNK = 1 << 16


@dataclass(frozen=True)
class MarkerSpec:
    id: str
    category: Category
    severity: Severity
    item: str | None = None


def marker_spec(item: pytest.Item) -> MarkerSpec | None:
    """Read and validate the marker; a bad value is a usage error naming the test."""
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return None
    unknown = sorted(set(marker.kwargs) - {"id", "category", "severity", "item"})
    if marker.args or unknown:
        raise pytest.UsageError(
            f"{item.nodeid}: @pytest.mark.readiness takes only the keywords id, category, "
            f"severity, item (got {', '.join(unknown) or 'positional arguments'})"
        )
    review_item = marker.kwargs.get("item")
    if review_item is not None:
        from pytest_readiness.catalogue import load_catalogue

        if load_catalogue().get(str(review_item)) is None:
            raise pytest.UsageError(
                f"{item.nodeid}: @pytest.mark.readiness(item={review_item!r}): no such item in "
                "the readiness catalogue (see docs/review.md)"
            )
    try:
        return MarkerSpec(
            id=str(marker.kwargs.get("id") or getattr(item, "originalname", item.name)),
            category=Category(marker.kwargs.get("category", Category.RELIABILITY)),
            severity=Severity(marker.kwargs.get("severity", Severity.HIGH)),
            item=None if review_item is None else str(review_item),
        )
    except ValueError as error:
        raise pytest.UsageError(
            f"{item.nodeid}: @pytest.mark.readiness: {error}; categories: "
            f"{', '.join(Category)}; severities: {', '.join(Severity)}"
        ) from None


def record_for(spec: MarkerSpec, report: pytest.TestReport) -> CheckRecord:
    """The verdict's view of a marked test from its call-phase report."""
    outcome = {"passed": Outcome.PASSED, "failed": Outcome.FAILED}.get(
        report.outcome, Outcome.SKIPPED
    )
    record = CheckRecord(
        id=spec.id,
        nodeid=report.nodeid,
        category=spec.category,
        severity=spec.severity,
        outcome=outcome,
        duration_s=report.duration,
        item=spec.item,
    )
    if outcome is Outcome.FAILED:
        message = failure_message(report)
        path, line = report_place(report)
        record.summary = message
        record.findings.append(
            Finding(
                rule=FAILED_RULE,
                message=message,
                severity=spec.severity,
                fingerprint=fingerprint(spec.id, FAILED_RULE, path, report.nodeid),
                path=path,
                line=line,
                fix=f"run `pytest {report.nodeid}` and fix what it shows",
            )
        )
    elif outcome is Outcome.SKIPPED:
        record.summary = failure_message(report)
    else:
        record.summary = "passed"
    return record


def failure_message(report: pytest.TestReport | pytest.CollectReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message).splitlines()[0] if crash.message else "failed"
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    text = str(report.longrepr or "").strip()
    return text.splitlines()[-1].removeprefix("E ").strip() if text else report.outcome


def report_place(report: pytest.TestReport | pytest.CollectReport) -> tuple[str | None, int | None]:
    """The test's (or module's) file and 1-based line, `/`-separated as findings want them."""
    path, line, _ = report.location or ("", None, "")
    return path.replace("\\", "/") or None, (line + 1 if line is not None else None)


def mentions_marker(path: Path) -> bool:
    """Whether a module's source names the marker, read without importing the module.

    Under `--readiness-only` a test module that never says `readiness` cannot hold a marked
    test, so it is not imported: a broken test environment does not stop the static checks.
    An unreadable file is left to pytest, which reports it.
    """
    needle = MARKER.encode()
    tail = b""
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(SCAN_CHUNK):
                window = tail + chunk
                if needle in window:
                    return True
                tail = window[1 - len(needle) :]
    except OSError:
        return True
    return False
