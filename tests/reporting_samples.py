"""What the reporting tests share: the sample report of every severity, and findings to add."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "readiness-report-every-severity.json"
PLANTED_SECRET = "AKIA" + "IOSFODNN7" + "EXAMPLE"  # split so no scanner flags this file


def load_sample() -> dict[str, Any]:
    """A fresh copy of the sample report, safe to change in a test."""
    sample: dict[str, Any] = json.loads(SAMPLE.read_text("utf-8"))
    return sample


def finding(index: int, severity: str, *, rule: str, message: str, path: str) -> dict[str, Any]:
    """One open finding as the JSON report holds it, with a fingerprint unique to `index`."""
    return {
        "rule": rule,
        "message": message,
        "severity": severity,
        "path": path,
        "line": index + 1,
        "column": None,
        "fingerprint": f"{index:024x}",
        "fix": "",
        "waived": False,
    }
