"""The `alerts` check on real rule files, with real promtool (Debian's prometheus package)."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.alerts import AlertsCheck, promql
from pytest_readiness.checks.alerts.check import AlertsSettings
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult

GOOD = """
groups:
  - name: shop
    rules:
      - alert: ShopDown
        expr: up{job="shop"} == 0
        for: 2m
        labels: {severity: critical}
        annotations: {runbook_url: "docs/runbook.md#service-down"}
      - alert: ShopErrors
        expr: >-
          sum(rate(http_requests_total{status=~"5.."}[5m]))
          / sum(rate(http_requests_total[5m])) > 0.05
        for: 5m
        labels: {severity: critical}
        annotations: {runbook_url: "docs/runbook.md#high-error-rate"}
      - alert: ShopSlow
        expr: >-
          histogram_quantile(0.95,
          sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 30
        for: 10m
        labels: {severity: warning}
        annotations: {runbook_url: "https://wiki.invalid/shop/latency"}
      - record: job:up:sum
        expr: sum(up)
"""
RUNBOOK = "# Runbook\n\n## Service down\n\nRestart it.\n\n## High error rate\n\nRoll back.\n"


def project(tmp_path: Path, rules: str, name: str = "deploy/alerts.yml") -> Path:
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "runbook.md").write_text(RUNBOOK)
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(textwrap.dedent(rules))
    return tmp_path


def run(root: Path, **settings: object) -> CheckResult:
    ctx = CheckContext(rootdir=root, files=ProjectFiles(root), cache=ContentCache(None))
    return AlertsCheck(AlertsSettings(**settings)).run(ctx)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _promtool_in_ci() -> None:
    if shutil.which("promtool") is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is missing: CI installs Debian's prometheus package")
        pytest.skip("promtool is not installed")


def test_good_rules_pass_with_promtool(tmp_path: Path) -> None:
    result = run(project(tmp_path, GOOD))
    assert result.findings == []
    assert result.metrics == {"rule_files": 1.0, "alert_rules": 3.0}
    assert "checked with promtool" in result.summary


def test_no_rules_at_all(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\n")
    found = run(tmp_path).findings
    assert [f.rule for f in found] == ["no-alert-rules"]
    assert "for a service (Dockerfile)" in found[0].message


def test_a_library_without_rules_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("hi\n")
    with pytest.raises(CheckSkipped, match="runs as a service"):
        run(tmp_path)


def test_an_invalid_expression_points_at_its_rule(tmp_path: Path) -> None:
    broken = GOOD.replace("rate(http_request_duration_seconds_bucket[5m])",
                          "rate(http_request_duration_seconds_bucket[5m)")  # fmt: skip
    result = run(project(tmp_path, broken))
    invalid = [f for f in result.findings if f.rule == "invalid-rule"]
    assert len(invalid) == 1
    assert invalid[0].path == "deploy/alerts.yml"
    assert invalid[0].line == 17
    assert "ShopSlow" in invalid[0].message
    assert "parse error" in invalid[0].message
    assert invalid[0].severity.value == "high"


def test_each_missing_piece_is_a_finding(tmp_path: Path) -> None:
    rules = """
    groups:
      - name: shop
        rules:
          - alert: Flaky
            expr: up == 0
          - alert: Errors
            expr: rate(errors_total[5m]) > 1
            for: 5m
            labels: {severity: urgent}
            annotations: {runbook_url: docs/runbook.md#no-such-heading}
          - alert: Gone
            expr: up == 0
            for: 5m
            labels: {severity: critical}
            annotations: {runbook: docs/missing.md}
    """
    found = {(f.rule, f.line) for f in run(project(tmp_path, rules)).findings}
    assert ("no-runbook", 5) in found
    assert ("no-severity", 5) in found
    assert ("no-for", 5) in found
    assert ("no-severity", 7) in found  # "urgent" is not an allowed severity
    assert ("no-runbook", 7) in found  # the heading does not exist
    assert ("no-runbook", 12) in found  # the document does not exist
    uncovered = [f for f in run(tmp_path).findings if f.rule == "uncovered"]
    assert [f.message.split("'")[1] for f in uncovered] == ["latency"]


def test_prometheus_rule_manifests_are_read(tmp_path: Path) -> None:
    manifest = (
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n"
        "metadata:\n  name: shop\nspec:\n" + textwrap.indent(textwrap.dedent(GOOD).strip(), "  ")
    )
    result = run(project(tmp_path, manifest, name="deploy/kube/monitoring.yaml"))
    assert result.findings == []
    assert result.metrics["alert_rules"] == 3.0


def test_rules_under_tests_are_not_the_service_alerts(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "app.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    project(tmp_path, GOOD, name="tests/data/alerts.yml")
    assert [f.rule for f in run(tmp_path).findings] == ["no-alert-rules"]


def test_a_runbook_outside_the_project_is_refused(tmp_path: Path) -> None:
    rules = GOOD.replace("docs/runbook.md#service-down", "../../etc/passwd")
    messages = [f.message for f in run(project(tmp_path, rules)).findings if f.rule == "no-runbook"]
    assert messages == ["alert ShopDown: runbook '../../etc/passwd' points outside the project"]


def test_promql_parser_is_the_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("promql_parser")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    broken = GOOD.replace("rate(http_request_duration_seconds_bucket[5m])",
                          "rate(http_request_duration_seconds_bucket[5m)")  # fmt: skip
    result = run(project(tmp_path, broken))
    assert "checked with promql-parser" in result.summary
    assert [f.line for f in result.findings if f.rule == "invalid-rule"] == [17]


def test_no_parser_at_all_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setitem(__import__("sys").modules, "promql_parser", None)
    with pytest.raises(CheckError, match="no PromQL parser"):
        run(project(tmp_path, GOOD))
    with pytest.raises(promql.NoParser):
        promql.parser_name()
