"""`bandit`: the project's own code has no known-insecure patterns (shell injection, weak crypto,
hard-coded passwords, unsafe deserialisation, ...), as bandit finds them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_readiness.check import Check, CheckContext, CheckSkipped
from pytest_readiness.checks.insecure_code import baseline
from pytest_readiness.checks.insecure_code.analyser import NOT_ANALYSED, BanditAnalyser
from pytest_readiness.checks.insecure_code.project_config import discover
from pytest_readiness.checks.insecure_code.severity_map import (
    MappedSeverity,
    SeverityMap,
    validate_overrides,
)
from pytest_readiness.checks.python_sources import SourceSettings, python_sources, scan
from pytest_readiness.model import Category, CheckResult, Finding, Severity


@dataclass
class BanditSettings(SourceSettings):
    severity_map: dict[str, dict[str, MappedSeverity]] = field(default_factory=dict)
    """Overrides of the severity x confidence table, cell by cell."""
    config: str = ""
    """A bandit config file (YAML or TOML) relative to the rootdir; default: as bandit finds it."""
    ignore_nosec: bool = False
    leave_out: list[str] = field(default_factory=lambda: ["B101"])
    """Bandit tests counted but not reported unless the project's bandit config selects them in
    `tests`: B101 (`assert`) is skipped by most projects and is rarely a readiness problem."""
    baseline: str = ".readiness/bandit-baseline.json"
    """Accepted findings, by fingerprint; rewritten by --readiness-baseline-update."""

    def validate(self) -> None:
        super().validate()
        validate_overrides(self.severity_map)
        if Path(self.baseline).is_absolute():
            raise ValueError("baseline must be a path relative to the project root")


class BanditCheck(Check):
    id = "bandit"
    category = Category.SECURITY
    severity = Severity.HIGH
    description = "No insecure code patterns in the project's source (bandit)"
    Settings = BanditSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: BanditSettings = self.settings
        setup = discover(ctx.rootdir, settings.config)
        sources = [
            file
            for file in python_sources(ctx.files, settings)
            if not setup.excludes(file.path)
            and (settings.paths or not setup.targets or _under(file.path, setup.targets))
        ]
        if not sources:
            raise CheckSkipped("no Python source files to analyse")
        outcome = scan(
            sources, BanditAnalyser(setup, settings.ignore_nosec), ctx.cache, settings.jobs
        )
        mapping = SeverityMap(settings.severity_map)
        findings: list[Finding] = []
        ignored = 0
        leave_out = set(settings.leave_out) - set(setup.tests)
        left_out: Counter[str] = Counter()
        for path, records in outcome.results.items():
            for record in records:
                if record["rule"] in leave_out:
                    left_out[record["rule"]] += 1
                    continue
                finding = self._finding(path, record, mapping)
                if finding is None:
                    ignored += 1
                else:
                    findings.append(finding)
        open_findings, accepted = self._apply_baseline(ctx, settings, findings)
        summary = f"{len(open_findings)} issue(s)" if open_findings else "no issues"
        if accepted:
            summary += f" ({accepted} accepted in the baseline)"
        summary += f" in {len(sources)} file(s)"
        if left_out:
            counts = ", ".join(f"{count} {rule}" for rule, count in sorted(left_out.items()))
            summary += f"; {counts} left out (leave_out)"
        return CheckResult(
            findings=open_findings,
            metrics={
                **outcome.metrics(),
                "issues_ignored_by_map": float(ignored),
                "baseline_accepted": float(accepted),
                "issues_left_out": float(left_out.total()),
            },
            summary=summary,
        )

    @staticmethod
    def _apply_baseline(
        ctx: CheckContext, settings: BanditSettings, findings: list[Finding]
    ) -> tuple[list[Finding], int]:
        """The findings not accepted, and how many were; a baseline update accepts them all.

        Files bandit could not parse are never accepted: nothing is known about them.
        """
        path = ctx.rootdir / settings.baseline
        unparsed = [finding for finding in findings if finding.rule == NOT_ANALYSED]
        issues = [finding for finding in findings if finding.rule != NOT_ANALYSED]
        if ctx.baseline_update:
            baseline.write(path, issues)
            return unparsed, len(issues)
        accepted = baseline.load(path)
        kept = [finding for finding in issues if finding.fingerprint not in accepted]
        return unparsed + kept, len(issues) - len(kept)

    def _finding(self, path: str, record: dict[str, Any], mapping: SeverityMap) -> Finding | None:
        if record["rule"] == NOT_ANALYSED:
            severity: Severity | None = Severity.MEDIUM
        else:
            severity = mapping.severity(record["bandit_severity"], record["bandit_confidence"])
        if severity is None:
            return None
        cwe = f" (CWE-{record['cwe']})" if record.get("cwe") else ""
        name = f"{record['test_name']}: " if record.get("test_name") else ""
        rating = f"bandit {record['bandit_severity'].lower()}/{record['bandit_confidence'].lower()}"
        fix = f"see {record['more_info']}" if record.get("more_info") else ""
        return self.finding(
            record["rule"],
            f"{name}{record['message']}{cwe} [{rating}]",
            severity=severity,
            path=path,
            line=record.get("line"),
            column=record.get("column"),
            fix=fix,
            key=record["key"],
        )


def _under(path: str, targets: tuple[str, ...]) -> bool:
    return any(
        target == "." or path == target or path.startswith(f"{target}/") for target in targets
    )
