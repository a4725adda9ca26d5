"""`alerts`: the service's alert rules exist, parse, cover its failure signals, and say what to do.

The review asks for critical alerts (service down, error rate, latency), warnings, thresholds
that hold for a while before paging, and a runbook behind every alert. Rules come from
Prometheus rule files and PrometheusRule manifests; every expression is parsed by a real PromQL
parser; which signals an alert covers is judged from the metric names in its expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pytest_readiness.check import Check, CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.alerts import promql
from pytest_readiness.checks.alerts.rules import AlertRule, alert_rules, groups_of, plain_groups
from pytest_readiness.checks.alerts.runbooks import runbook_problem
from pytest_readiness.checks.operations.manifests import ManifestError, load_documents
from pytest_readiness.checks.service_signs import service_evidence
from pytest_readiness.files import ProjectFile, matches
from pytest_readiness.model import Category, CheckResult, Finding, Severity
from pytest_readiness.reading import NotRead, read_text

ZERO_FOR = {"", "0", "0s", "0m", "0h"}


@dataclass
class AlertsSettings:
    paths: list[str] = field(
        default_factory=lambda: ["**/*rules*.y*ml", "**/*alerts*.y*ml", "**/*alerting*.y*ml"]
    )
    """Rule files (globs). Any other YAML file holding a `kind: PrometheusRule` is read too."""
    exclude: list[str] = field(default_factory=lambda: ["tests", "test", "testing"])
    """Rule files left out: fixtures under tests/ are not the service's alerts."""
    required_signals: dict[str, str] = field(
        default_factory=lambda: {
            "down": r"\bup\b|absent(_over_time)?\s*\(",
            "errors": r"5\.\.|5xx|[\"']5|error|fail",
            "latency": r"histogram_quantile|duration|latency",
        }
    )
    """Signal -> regex over an alert's `expr`: some alert must match each."""
    severity_label: str = "severity"
    severities: list[str] = field(
        default_factory=lambda: ["critical", "warning", "info", "page", "ticket"]
    )
    """Values the severity label may take."""
    runbook_annotations: list[str] = field(default_factory=lambda: ["runbook_url", "runbook"])
    require_for: bool = True
    """An alert must hold for a while (`for:`) before it fires: one bad sample is not an outage."""

    def validate(self) -> None:
        for signal, pattern in self.required_signals.items():
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"required_signals.{signal}: not a regex: {error}") from None


@dataclass
class _RuleFile:
    file: ProjectFile
    rules: list[AlertRule]
    groups: list[dict[str, object]]


class AlertsCheck(Check):
    id = "alerts"
    category = Category.OPERATIONS
    severity = Severity.HIGH
    description = "Alert rules exist, parse, cover down/errors/latency and link a runbook"
    Settings = AlertsSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        try:
            parser = promql.parser_name()
        except promql.NoParser as error:
            raise CheckError(str(error)) from None
        result = CheckResult()
        found = list(self._rule_files(ctx, result))
        rules = [rule for rule_file in found for rule in rule_file.rules]
        if not rules:
            evidence = service_evidence(ctx.files)
            if evidence is None:
                raise CheckSkipped(
                    "no alert rules, and no Dockerfile, Procfile or Kubernetes workload says "
                    "this project runs as a service"
                )
            result.findings.append(
                self.finding(
                    "no-alert-rules",
                    "no Prometheus alert rule found (rule files or PrometheusRule manifests) "
                    f"for a service ({evidence})",
                    fix="add alert rules for the service being down, its error rate and its "
                    "latency, each with a severity label and a runbook_url annotation",
                    key="none",
                )
            )
        for rule_file in found:
            for invalid in promql.validate(parser, rule_file.groups, rule_file.rules):
                result.findings.append(self._invalid(rule_file.file, invalid))
            for rule in rule_file.rules:
                result.findings.extend(self._judge(ctx, rule_file.file, rule))
        if rules:
            result.findings.extend(self._coverage(rules, found[0].file))
        result.metrics = {"rule_files": float(len(found)), "alert_rules": float(len(rules))}
        result.summary = (
            f"{len(rules)} alert rule(s) in {len(found)} file(s), expressions checked with {parser}"
        )
        return result

    def _rule_files(self, ctx: CheckContext, result: CheckResult) -> list[_RuleFile]:
        settings: AlertsSettings = self.settings
        found = []
        for file in ctx.files.all:
            if not file.path.endswith((".yml", ".yaml")) or matches(file.path, settings.exclude):
                continue
            named = matches(file.path, settings.paths)
            try:
                text = read_text(file, errors="replace")
            except NotRead:
                continue  # listed in the summary and the files_over_cap metric
            if not named and "PrometheusRule" not in text:
                continue
            try:
                documents = load_documents(text)
            except ManifestError as error:
                if named:
                    result.findings.append(
                        self.finding(
                            "invalid-rule",
                            f"not valid YAML: {error}",
                            severity=Severity.HIGH,
                            path=file.path,
                            line=error.line,
                            fix="fix the YAML so Prometheus can load the rules",
                            key="yaml",
                        )
                    )
                continue
            groups = [group for document in documents for group in (groups_of(document) or [])]
            rules = list(alert_rules(groups))
            if rules:
                found.append(_RuleFile(file, rules, plain_groups(groups)))
        return found

    def _invalid(self, file: ProjectFile, invalid: promql.Invalid) -> Finding:
        rule = invalid.rule
        return self.finding(
            "invalid-rule",
            (f"alert {rule.name}: " if rule else "") + invalid.message,
            severity=Severity.HIGH,
            path=file.path,
            line=rule.line if rule else None,
            fix="Prometheus refuses to load a rule file with a broken rule: fix the expression",
            key=rule.name if rule else invalid.message,
        )

    def _judge(self, ctx: CheckContext, file: ProjectFile, rule: AlertRule) -> list[Finding]:
        settings: AlertsSettings = self.settings
        found = []
        link = next((rule.annotations[a] for a in settings.runbook_annotations
                     if rule.annotations.get(a)), "")  # fmt: skip
        problem = (
            "has no runbook annotation"
            if not link
            else runbook_problem(link, file.absolute, ctx.rootdir)
        )
        if problem:
            found.append(
                self._rule_finding(
                    "no-runbook",
                    rule,
                    file,
                    f"alert {rule.name} {problem}" if not link else f"alert {rule.name}: {problem}",
                    "add annotations.runbook_url: a URL or a repository path like "
                    "docs/runbook.md#service-down that says what to do when it fires",
                )
            )
        severity = rule.labels.get(settings.severity_label, "")
        if severity not in settings.severities:
            shown = f"{settings.severity_label}={severity!r}" if severity else "no severity label"
            found.append(
                self._rule_finding(
                    "no-severity",
                    rule,
                    file,
                    f"alert {rule.name} has {shown}",
                    f"label it {settings.severity_label}: one of {', '.join(settings.severities)}, "
                    "so routing knows whom to page",
                )
            )
        if settings.require_for and rule.for_.strip() in ZERO_FOR:
            found.append(
                self._rule_finding(
                    "no-for",
                    rule,
                    file,
                    f"alert {rule.name} fires on a single sample (no `for:`)",
                    "add `for: 5m` (or what suits it) so a blip does not page anyone",
                    severity=Severity.LOW,
                )
            )
        return found

    def _rule_finding(
        self,
        rule_id: str,
        rule: AlertRule,
        file: ProjectFile,
        message: str,
        fix: str,
        *,
        severity: Severity = Severity.MEDIUM,
    ) -> Finding:
        return self.finding(
            rule_id, message, severity=severity, path=file.path, line=rule.line, fix=fix,
            key=f"{rule.group}/{rule.name}",
        )  # fmt: skip

    def _coverage(self, rules: list[AlertRule], first: ProjectFile) -> list[Finding]:
        settings: AlertsSettings = self.settings
        found = []
        for signal, pattern in settings.required_signals.items():
            regex = re.compile(pattern, re.IGNORECASE)
            if not any(regex.search(rule.expr) for rule in rules):
                found.append(
                    self.finding(
                        "uncovered",
                        f"no alert covers the {signal!r} signal (no expr matches {pattern!r})",
                        path=first.path,
                        fix=f"add an alert for {signal} (see docs/checks/alerts.md for examples)",
                        key=signal,
                    )
                )
        return found
