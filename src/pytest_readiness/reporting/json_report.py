"""The JSON report of the contract (schema version 1): the one result model every writer reads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_readiness.completeness import Completeness
from pytest_readiness.masking import mask_tree
from pytest_readiness.model import CheckRecord, TestRun
from pytest_readiness.verdict import Decision, WaiverUse

SCHEMA_VERSION = 1
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "report.schema.json"
COMPLETE = Completeness()


def build_report(
    decision: Decision,
    records: Sequence[CheckRecord],
    tests: TestRun,
    uses: Sequence[WaiverUse],
    exit_status: int,
    duration_s: float,
    *,
    completeness: Completeness = COMPLETE,
    review: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report every writer reads, masked once here: no writer can leak a secret."""
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "verdict": decision.verdict.value,
        "reasons": list(decision.reasons),
        "complete": completeness.complete,
        "not_run": [missing.to_dict() for missing in completeness.not_run],
        "exit_status": exit_status,
        "duration_s": round(duration_s, 3),
        "tests": tests.counts(),
        "checks": [record.to_dict() for record in sorted(records, key=lambda r: r.nodeid)],
        "waivers": [
            {
                "check": use.waiver.check,
                "rule": use.waiver.rule,
                "path": use.waiver.path,
                "fingerprint": use.waiver.fingerprint,
                "reason": use.waiver.reason,
                "expires": use.waiver.expires.isoformat(),
                "expired": use.expired,
                "matched": use.matched,
            }
            for use in uses
        ],
    }
    if review is not None:
        report["review"] = review
    return dict(mask_tree(report))


def write_report(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n", "utf-8")
