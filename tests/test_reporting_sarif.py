"""SARIF 2.1.0 output: valid against the official schema, and what code scanning relies on."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_readiness.reporting.sarif import FINGERPRINT_KEY, SOURCE_ROOT, render_sarif
from tests.reporting_samples import DATA, PLANTED_SECRET, load_sample

VALIDATOR = jsonschema.Draft4Validator(
    json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8")),
    format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER,
)

RELATIVE_URI = re.compile(r"[A-Za-z0-9._~/%-]+")


@pytest.fixture
def report() -> dict[str, Any]:
    return load_sample()


def results_by_rule(sarif: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["ruleId"]: result for result in sarif["runs"][0]["results"]}


def test_the_log_validates_against_the_sarif_schema(report: dict[str, Any]) -> None:
    sarif = render_sarif(report, "1.2.3")
    VALIDATOR.validate(sarif)
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-schema-2.1.0.json")
    assert len(sarif["runs"]) == 1
    assert sarif["runs"][0]["tool"]["driver"]["version"] == "1.2.3"


def test_the_schema_rejects_a_broken_log(report: dict[str, Any]) -> None:
    sarif = render_sarif(report, "1.2.3")
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(sarif)


def test_only_findings_with_file_and_line_become_results(report: dict[str, Any]) -> None:
    results = results_by_rule(render_sarif(report, "1"))
    assert sorted(results) == [
        "bandit/B101",
        "bandit/B105",
        "dependencies/unpinned",
        "secrets/aws-access-key",
        "secrets/private-key",
    ]


def test_rules_carry_descriptions_help_and_a_level(report: dict[str, Any]) -> None:
    sarif = render_sarif(report, "1")
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    for result in sarif["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    by_id = {rule["id"]: rule for rule in rules}
    secret = by_id["secrets/aws-access-key"]
    assert secret["shortDescription"]["text"] == "secrets: aws-access-key"
    assert "secrets" in secret["fullDescription"]["text"]
    assert "move it to the environment" in secret["help"]["text"]
    assert secret["defaultConfiguration"]["level"] == "error"
    assert secret["properties"]["security-severity"] == "9.5"
    assert by_id["bandit/B105"]["defaultConfiguration"]["level"] == "warning"
    assert by_id["bandit/B101"]["defaultConfiguration"]["level"] == "note"


def test_result_levels_follow_the_finding_severity(report: dict[str, Any]) -> None:
    results = results_by_rule(render_sarif(report, "1"))
    assert {rule: result["level"] for rule, result in results.items()} == {
        "secrets/aws-access-key": "error",
        "secrets/private-key": "error",
        "dependencies/unpinned": "error",
        "bandit/B105": "warning",
        "bandit/B101": "note",
    }


def test_locations_are_relative_to_the_source_root(report: dict[str, Any]) -> None:
    results = results_by_rule(render_sarif(report, "1"))
    place = results["dependencies/unpinned"]["locations"][0]["physicalLocation"]
    assert place["artifactLocation"] == {
        "uri": "requirements%20dev%2Cci.txt",
        "uriBaseId": SOURCE_ROOT,
    }
    assert place["region"] == {"startLine": 3}
    b105 = results["bandit/B105"]["locations"][0]["physicalLocation"]
    assert b105["artifactLocation"]["uri"] == "src/app/db.py"
    assert b105["region"] == {"startLine": 40, "startColumn": 12}


def test_partial_fingerprints_are_the_findings_own(report: dict[str, Any]) -> None:
    results = results_by_rule(render_sarif(report, "1"))
    assert results["secrets/aws-access-key"]["partialFingerprints"] == {
        FINGERPRINT_KEY: "secaaaaaaaaaaaaaaaaaaaaa"
    }
    moved = copy.deepcopy(report)
    moved["checks"][-2]["findings"][0]["line"] = 99
    again = results_by_rule(render_sarif(moved, "1"))["secrets/aws-access-key"]
    assert again["partialFingerprints"] == results["secrets/aws-access-key"]["partialFingerprints"]


def test_waived_findings_are_suppressed_with_the_waiver_reason(report: dict[str, Any]) -> None:
    results = results_by_rule(render_sarif(report, "1"))
    assert results["secrets/private-key"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "test fixture key, never deployed (waived until 2099-01-31)",
        }
    ]
    assert "suppressions" not in results["secrets/aws-access-key"]


def test_check_errors_are_tool_notifications(report: dict[str, Any]) -> None:
    invocation = render_sarif(report, "1")["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 1
    assert invocation["toolExecutionNotifications"] == [
        {
            "level": "error",
            "message": {"text": "health: could not run: connection refused by 127.0.0.1:8000"},
            "descriptor": {"id": "health"},
        }
    ]


def test_a_clean_report_is_an_empty_valid_run(report: dict[str, Any]) -> None:
    clean = {
        **report,
        "checks": [{**c, "findings": [], "outcome": "passed"} for c in report["checks"]],
    }
    sarif = render_sarif(clean, "1")
    VALIDATOR.validate(sarif)
    assert sarif["runs"][0]["results"] == []
    assert sarif["runs"][0]["tool"]["driver"]["rules"] == []


def test_the_planted_secret_never_appears(report: dict[str, Any]) -> None:
    """A crashed check's traceback may hold anything; only its one-line summary is shown."""
    health = next(check for check in report["checks"] if check["id"] == "health")
    health["error"] += f'\n  File "conftest.py", line 3\n    token = {PLANTED_SECRET!r}'
    text = json.dumps(render_sarif(report, "1"))
    assert PLANTED_SECRET not in text
    assert "AKIA... (20 characters)" in text


finding_fields = st.fixed_dictionaries(
    {
        "rule": st.text(min_size=1, max_size=20),
        "message": st.text(max_size=80),
        "severity": st.sampled_from(["critical", "high", "medium", "low"]),
        "path": st.none()
        | st.text(min_size=1, max_size=40).filter(lambda p: "\\" not in p and p[0] != "/"),
        "line": st.none() | st.integers(min_value=1, max_value=10**6),
        "column": st.none() | st.integers(min_value=0, max_value=500),
        "fingerprint": st.text(alphabet="0123456789abcdef", min_size=24, max_size=24),
        "fix": st.text(max_size=40),
        "waived": st.booleans(),
    }
)


@settings(max_examples=25, deadline=None)
@given(findings=st.lists(finding_fields, max_size=12))
def test_any_findings_give_a_valid_log(findings: list[dict[str, Any]]) -> None:
    report = load_sample()
    report["checks"][0]["findings"] = findings
    sarif = render_sarif(report, "0.1.0")
    VALIDATOR.validate(sarif)
    located = [f for f in findings if f["path"] is not None and f["line"] is not None]
    bandit_results = [
        r for r in sarif["runs"][0]["results"] if r["properties"]["check"] == "bandit"
    ]
    assert len(bandit_results) == len(located)
    for result in bandit_results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert RELATIVE_URI.fullmatch(uri), "a relative reference of unreserved characters"
