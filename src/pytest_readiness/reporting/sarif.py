"""SARIF 2.1.0 for code-scanning tools: one run, our rules, and results pinned to file and line.

Code scanning matches alerts across commits by `partialFingerprints`; without them every upload
duplicates the alerts, so each result carries the finding's own line-independent fingerprint.
Findings without a file and line have no place in SARIF and stay in the other reports.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pytest_readiness.model import Severity
from pytest_readiness.reporting.annotations import with_fix

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT_KEY = "readinessFingerprint/v1"
TOOL_NAME = "pytest-readiness"
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}
"""GitHub ranks security alerts by this CVSS-like score; categories below get it."""
SECURITY_CATEGORIES = {"security", "supply-chain"}


def render_sarif(report: dict[str, Any], tool_version: str) -> dict[str, Any]:
    """The SARIF log of the report's located findings, waived ones marked as suppressed."""
    located = [
        (check, finding)
        for check in report["checks"]
        for finding in check["findings"]
        if finding.get("path") is not None and finding.get("line") is not None
    ]
    by_rule: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for check, finding in located:
        by_rule.setdefault(_rule_id(check, finding), []).append((check, finding))
    rule_index = {rule_id: index for index, rule_id in enumerate(by_rule)}
    rules = [_rule(rule_id, pairs) for rule_id, pairs in by_rule.items()]
    results = [
        _result(rule_index[_rule_id(check, finding)], check, finding, report["waivers"])
        for check, finding in located
    ]
    errors = [check for check in report["checks"] if check["outcome"] == "error"]
    run = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": tool_version,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {
            SOURCE_ROOT: {"description": {"text": "The pytest rootdir the paths are relative to."}}
        },
        "invocations": [
            {
                "executionSuccessful": not errors,
                "exitCode": report["exit_status"],
                "toolExecutionNotifications": [_notification(check) for check in errors],
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"verdict": report["verdict"]},
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def _rule_id(check: dict[str, Any], finding: dict[str, Any]) -> str:
    return f"{check['id']}/{finding['rule']}"


def _rule(rule_id: str, pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """A rule's descriptor; its default level is that of its worst finding in this run."""
    check, first = pairs[0]
    severity = min((Severity(finding["severity"]) for _, finding in pairs), key=lambda s: s.rank)
    about = check.get("description") or f"the `{check['id']}` readiness check"
    fix = next((finding["fix"] for _, finding in pairs if finding.get("fix")), "")
    advice = f"Typical fix: {fix}" if fix else "See each result's message."
    docs = f"docs/checks/{check['id']}.md"
    tags = {"readiness", check["category"]}
    properties: dict[str, Any] = {}
    if check["category"] in SECURITY_CATEGORIES:
        tags.add("security")
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    properties["tags"] = sorted(tags)
    return {
        "id": rule_id,
        "name": first["rule"],
        "shortDescription": {"text": f"{check['id']}: {first['rule']}"},
        "fullDescription": {"text": f"Rule {first['rule']} of {about} ({check['category']})."},
        "help": {
            "text": f"{advice}\n\nThe check and its settings: {docs} in pytest-readiness.",
            "markdown": f"{advice}\n\nThe check and its settings: `{docs}` in pytest-readiness.",
        },
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": properties,
    }


def _result(
    rule_index: int,
    check: dict[str, Any],
    finding: dict[str, Any],
    waivers: list[dict[str, Any]],
) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": finding["line"]}
    if finding.get("column"):
        region["startColumn"] = finding["column"]
    result: dict[str, Any] = {
        "ruleId": _rule_id(check, finding),
        "ruleIndex": rule_index,
        "level": LEVEL[Severity(finding["severity"])],
        "message": {"text": with_fix(finding["message"], finding.get("fix") or "")},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": quote(finding["path"], safe="/"),
                        "uriBaseId": SOURCE_ROOT,
                    },
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding["fingerprint"]},
        "properties": {"severity": finding["severity"], "check": check["id"]},
    }
    if finding["waived"]:
        result["suppressions"] = [_suppression(check["id"], finding, waivers)]
    return result


def _suppression(
    check_id: str, finding: dict[str, Any], waivers: list[dict[str, Any]]
) -> dict[str, Any]:
    """An accepted external suppression, justified by the first waiver that covers the finding."""
    for waiver in waivers:
        if (
            waiver["check"] == check_id
            and not waiver["expired"]
            and all(
                waiver.get(field) in (None, finding.get(field))
                for field in ("rule", "path", "fingerprint")
            )
        ):
            justification = f"{waiver['reason']} (waived until {waiver['expires']})"
            return {"kind": "external", "status": "accepted", "justification": justification}
    return {"kind": "external", "status": "accepted"}


def _notification(check: dict[str, Any]) -> dict[str, Any]:
    return {
        "level": "error" if Severity(check["severity"]).blocking else "warning",
        "message": {"text": f"{check['id']}: {check['summary']}"},
        "descriptor": {"id": check["id"]},
    }
