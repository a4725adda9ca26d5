"""The JSON report follows the contract's schema in every verdict, on the example service too."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from pytest_readiness.reporting.json_report import SCHEMA_FILE, SCHEMA_VERSION
from tests.conftest import read_report

Project = Callable[..., pytest.Pytester]
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "service"
VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))

WAIVED_AND_RISKY = """
[tool.readiness.demo]
severities = ["critical", "medium", "low"]

[[tool.readiness.waivers]]
check = "demo"
rule = "demo-critical"
reason = "accepted until the vendor ships a fix"
expires = 2099-01-31
"""


@pytest.mark.parametrize(
    "readiness", ["", WAIVED_AND_RISKY, "[tool.readiness.demo]\nbroken = true\n"]
)
def test_reports_validate_against_the_schema(sample_project: Project, readiness: str) -> None:
    pytester = sample_project(readiness)
    pytester.runpytest("--readiness", "--readiness-report", "out/r.json")
    report = read_report(pytester.path / "out" / "r.json")
    VALIDATOR.validate(report)
    assert report["schema_version"] == SCHEMA_VERSION


def test_schema_rejects_what_the_contract_forbids() -> None:
    bad_finding = {"rule": "r", "message": "m", "severity": "urgent", "fingerprint": "0" * 24,
                   "waived": False}  # fmt: skip
    errors = list(VALIDATOR.iter_errors({"schema_version": 1, "verdict": "maybe"}))
    assert any("maybe" in error.message for error in errors)
    finding_schema = {"$ref": "#/$defs/finding", "$defs": VALIDATOR.schema["$defs"]}
    assert not jsonschema.Draft202012Validator(finding_schema).is_valid(bad_finding)


def test_example_service_report(tmp_path: Path) -> None:
    """The README's main job: the example project's report follows the schema."""
    report_path = tmp_path / "report.json"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--readiness", "-p", "no:cacheprovider",
         f"--readiness-report={report_path}"],
        cwd=EXAMPLE, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert report_path.exists(), completed.stdout + completed.stderr
    report = read_report(report_path)
    VALIDATOR.validate(report)
    assert completed.returncode == report["exit_status"]
    assert "verdict:" in completed.stdout
    assert {check["id"] for check in report["checks"]} >= {"project-metadata", "tests-pass"}
