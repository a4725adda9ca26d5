"""`secrets`: no credential committed to the repository (and, opt-in, none in its history)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pytest_readiness.check import Check, CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.secrets import baseline as baseline_file
from pytest_readiness.checks.secrets.allowlist import AllowlistSettings
from pytest_readiness.checks.secrets.baseline import Baseline, BaselineError
from pytest_readiness.checks.secrets.history import HistoryError, scan_history
from pytest_readiness.checks.secrets.rules import RULES_BY_ID
from pytest_readiness.checks.secrets.scanner import SecretMatch
from pytest_readiness.checks.secrets.tree import scan_files
from pytest_readiness.files import ProjectFile, matches
from pytest_readiness.model import Category, CheckResult, Finding, Severity

DEFAULT_SKIPS: dict[str, tuple[str, ...]] = {
    "package-metadata": ("*.dist-info", "*.egg-info"),
    "lock-file": (
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
        "pdm.lock",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "Cargo.lock",
        "composer.lock",
        "Gemfile.lock",
        "go.sum",
    ),
    "sbom": ("*.spdx", "*.spdx.json", "*.cdx.json", "*.cdx.xml", "bom.json", "bom.xml"),
    "vendored": ("node_modules", "vendor", "bower_components"),
    "virtualenv": (".venv", "venv", "site-packages", ".tox", ".nox"),
}
"""Paths that hold no authored secrets, by the reason they are skipped."""
_ALL_DEFAULT_SKIPS = tuple(pattern for patterns in DEFAULT_SKIPS.values() for pattern in patterns)
FIX = (
    "revoke and rotate the credential, then read it from the environment or a secret store; "
    "if it is not a secret, mark the line `# readiness: allow-secret`"
)


@dataclass
class SecretsSettings:
    paths: list[str] = field(default_factory=list)
    """Glob patterns of files to scan; empty scans the whole project."""
    exclude: list[str] = field(default_factory=list)
    """Glob patterns of files not to scan."""
    skip_generated: bool = True
    """Skip lock files, SBOMs, package metadata, vendored code and virtualenvs."""
    allowlist: AllowlistSettings = field(default_factory=AllowlistSettings)
    """Accepted secrets: `paths` (globs), `rules` (ids), `regexes` (searched in the value)."""
    baseline: str = ".readiness/secrets-baseline.json"
    """Accepted secrets by path, rule and hash; `--readiness-baseline-update` rewrites it."""
    detect_secrets_baseline: str = ".secrets.baseline"
    """A detect-secrets baseline whose entries count as accepted ("" to ignore it)."""
    history: bool = False
    """Also scan every commit on every ref: a deleted secret is still leaked."""
    history_max_commits: int = 0
    """How many commits back the history scan goes; 0 for all."""
    test_files: Literal["scan", "low", "skip"] = "scan"
    """Secrets in test files: reported (fixtures lowered by the example rule), all reported as
    low severity, or skipped."""
    test_paths: list[str] = field(
        default_factory=lambda: [
            "tests",
            "test",
            "testing",
            "test_*.py",
            "*_test.py",
            "conftest.py",
        ]
    )
    """Glob patterns of test files, for `test_files`."""
    workers: int = 0
    """Processes for big trees; 0 for one per CPU, 1 to stay in-process."""

    def validate(self) -> None:
        if self.workers < 0 or self.history_max_commits < 0:
            raise ValueError("workers and history_max_commits must not be negative")
        if Path(self.baseline).is_absolute():
            raise ValueError("baseline must be a path relative to the project root")


class SecretsCheck(Check):
    id = "secrets"
    category = Category.SECURITY
    severity = Severity.CRITICAL
    description = "No credential (token, key, password) committed to the repository"
    Settings = SecretsSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: SecretsSettings = self.settings
        skipped: Counter[str] = Counter()
        files = self._files(ctx, settings, skipped)
        if not files:
            raise CheckSkipped("no files to scan")
        allow = settings.allowlist.regexes
        scan = scan_files(files, ctx.cache, allow, settings.workers)
        skipped.update(scan.skipped)
        found: list[tuple[SecretMatch, str | None]] = [(match, None) for match in scan.matches]
        if settings.history:
            found.extend(self._history(ctx, settings, {m.secret_hash for m in scan.matches}))
        accepted = self._baseline(ctx, settings)
        result = CheckResult()
        kept = []
        allowlisted = 0
        for match, commit in found:
            if settings.allowlist.allows(match.rule, match.path):
                allowlisted += 1
            elif ctx.baseline_update or not accepted.accepts(match):
                kept.append(match)
                result.findings.append(self._finding(settings, match, commit))
        if ctx.baseline_update:
            try:
                baseline_file.write(ctx.rootdir / settings.baseline, kept)
            except OSError as error:
                raise CheckError(f"cannot write the secrets baseline: {error}") from error
            result.findings.clear()
        result.metrics = {
            "files_scanned": float(scan.files_scanned),
            "bytes_scanned": float(scan.bytes_scanned),
            "files_cached": float(scan.files_cached),
            "allowlisted": float(allowlisted),
            "baseline_accepted": float(len(found) - allowlisted - len(kept)),
            **{f"skipped_{reason.replace('-', '_')}": float(n) for reason, n in skipped.items()},
        }
        result.summary = self._summary(result.findings, scan.files_scanned, skipped, ctx)
        return result

    def _files(
        self, ctx: CheckContext, settings: SecretsSettings, skipped: Counter[str]
    ) -> list[ProjectFile]:
        own = [settings.baseline, settings.detect_secrets_baseline]
        exclude = [*settings.exclude, *(path for path in own if path)]
        chosen = []
        for file in ctx.files.select(include=settings.paths, exclude=exclude):
            reason = self._skip_reason(file.path, settings)
            if reason is None:
                chosen.append(file)
            else:
                skipped[reason] += 1
        return chosen

    @staticmethod
    def _skip_reason(path: str, settings: SecretsSettings) -> str | None:
        if settings.skip_generated and matches(path, _ALL_DEFAULT_SKIPS):
            return next(
                reason for reason, patterns in DEFAULT_SKIPS.items() if matches(path, patterns)
            )
        if settings.test_files == "skip" and matches(path, settings.test_paths):
            return "test-files"
        return None

    @staticmethod
    def _baseline(ctx: CheckContext, settings: SecretsSettings) -> Baseline:
        try:
            accepted = Baseline.load(ctx.rootdir / settings.baseline)
            if settings.detect_secrets_baseline:
                accepted.import_detect_secrets(ctx.rootdir / settings.detect_secrets_baseline)
        except BaselineError as error:
            raise CheckError(f"secrets baseline unreadable: {error}") from error
        return accepted

    @staticmethod
    def _history(
        ctx: CheckContext, settings: SecretsSettings, current: set[str]
    ) -> list[tuple[SecretMatch, str | None]]:
        """Secrets only the history still holds; those in the tree are reported already."""
        allow = [re.compile(pattern) for pattern in settings.allowlist.regexes]
        try:
            historical = scan_history(ctx.rootdir, allow, settings.history_max_commits)
        except HistoryError as error:
            raise CheckError(f"history scan impossible: {error}") from error
        seen = set(current)
        found: list[tuple[SecretMatch, str | None]] = []
        for item in historical:
            if item.match.secret_hash not in seen:
                seen.add(item.match.secret_hash)
                found.append((item.match, item.commit))
        return found

    def _finding(
        self, settings: SecretsSettings, match: SecretMatch, commit: str | None
    ) -> Finding:
        rule = RULES_BY_ID[match.rule]
        where = f" in commit {commit[:12]} (git history)" if commit else ""
        graded = Severity(match.severity)
        severity = graded if graded.rank > self.effective_severity.rank else None
        if settings.test_files == "low" and matches(match.path, settings.test_paths):
            severity = Severity.LOW
        example = f" (reported as {graded}: {match.example})" if match.example else ""
        return self.finding(
            match.rule,
            f"{rule.description}: {match.preview}{where}{example}",
            severity=severity,
            path=match.path,
            line=match.line,
            column=match.column,
            fix=FIX,
            key=match.secret_hash,
        )

    @staticmethod
    def _summary(
        findings: list[Finding], scanned: int, skipped: Counter[str], ctx: CheckContext
    ) -> str:
        skips = ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items()))
        tail = f" (skipped: {skips})" if skips else ""
        if ctx.baseline_update:
            return f"baseline rewritten from {scanned} files{tail}"
        if findings:
            return f"{len(findings)} secret(s) in {scanned} files{tail}"
        return f"no secrets in {scanned} files{tail}"
