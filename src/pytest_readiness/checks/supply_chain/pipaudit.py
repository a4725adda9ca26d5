"""Run pip-audit on a flat `name==version` list and trust only what its JSON accounts for.

pip-audit 2.10 drops requirements silently in several cases (`-r` includes under
`--disable-pip`, markers false for the running interpreter) and reports a dependency it could
not look up as a skip while still saying "No known vulnerabilities found". So the inventory is
built here, handed over flat, and every pin must come back audited: a skip, a missing entry, a
crash or unreadable JSON leaves the pin in `not_audited`, which the check turns into an error.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from packaging.utils import canonicalize_name
from packaging.version import Version

from pytest_readiness.check import CheckError
from pytest_readiness.checks.supply_chain.entries import is_pep440
from pytest_readiness.checks.supply_chain.osv import Advisory

Service = Literal["osv", "pypi"]


@dataclass(frozen=True)
class AuditRequest:
    service: Service = "osv"
    osv_url: str = ""
    """Empty: pip-audit's default (https://api.osv.dev/v1/query)."""
    timeout_s: int = 15
    cache_dir: Path | None = None


@dataclass
class AuditOutcome:
    advisories: dict[str, list[Advisory]] = field(default_factory=dict)
    """Every audited pin (`name==version` as given), with its advisories (often none)."""
    not_audited: dict[str, str] = field(default_factory=dict)
    """`name==version` → why it could not be audited."""


def audit(pins: list[tuple[str, str]], request: AuditRequest) -> AuditOutcome:
    """Audit each (name, version) once with pip-audit; never an unaccounted pin."""
    lines = sorted({f"{name}=={version}" for name, version in pins if is_pep440(version)})
    return reconcile(pins, _run(lines, request) if lines else [])


def reconcile(pins: list[tuple[str, str]], report: list[dict[str, Any]]) -> AuditOutcome:
    """Account for every pin in pip-audit's JSON `dependencies`: audited, or why not."""
    outcome = AuditOutcome()
    wanted: dict[tuple[str, Version], str] = {}
    for name, version in pins:
        if is_pep440(version):
            wanted[(canonicalize_name(name), Version(version))] = f"{name}=={version}"
        else:
            outcome.not_audited[f"{name}=={version}"] = "not a PEP 440 version"
    for entry in report:
        name = canonicalize_name(str(entry.get("name", "")))
        if "skip_reason" in entry:
            for key, label in wanted.items():
                if key[0] == name:
                    outcome.not_audited[label] = f"skipped by pip-audit: {entry['skip_reason']}"
            continue
        version = str(entry.get("version"))
        if not is_pep440(version):
            continue
        audited = wanted.get((name, Version(version)))
        if audited is not None:
            outcome.advisories[audited] = [_advisory(vuln) for vuln in entry.get("vulns", [])]
    for label in wanted.values():
        if label not in outcome.advisories and label not in outcome.not_audited:
            outcome.not_audited[label] = "missing from pip-audit's report"
    return outcome


def _run(lines: list[str], request: AuditRequest) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="readiness-audit-") as scratch:
        requirements = Path(scratch) / "pins.txt"
        report = Path(scratch) / "report.json"
        requirements.write_text("\n".join(lines) + "\n", "utf-8")
        command = [
            sys.executable, "-m", "pip_audit",
            "--requirement", str(requirements), "--disable-pip", "--no-deps",
            "--format", "json", "--output", str(report), "--progress-spinner", "off",
            "--aliases", "on", "--desc", "on",
            "--vulnerability-service", request.service, "--timeout", str(request.timeout_s),
        ]  # fmt: skip
        if request.osv_url:
            command += ["--osv-url", request.osv_url]
        if request.cache_dir is not None:
            command += ["--cache-dir", str(request.cache_dir)]
        limit = request.timeout_s * max(2, len(lines)) + 60
        try:
            completed = subprocess.run(
                command, capture_output=True, text=True, timeout=limit, check=False
            )
        except subprocess.TimeoutExpired:
            raise CheckError(f"pip-audit did not finish within {limit} s") from None
        except OSError as error:
            raise CheckError(f"pip-audit could not be started: {error}") from None
        return _report(completed, report)


def _report(completed: subprocess.CompletedProcess[str], report: Path) -> list[dict[str, Any]]:
    if completed.returncode not in (0, 1):
        raise CheckError(f"pip-audit failed (exit {completed.returncode}): {_tail(completed)}")
    try:
        data = json.loads(report.read_text("utf-8"))
        dependencies = data["dependencies"]
    except (OSError, ValueError, KeyError, TypeError):
        raise CheckError(
            f"pip-audit (exit {completed.returncode}) wrote no JSON report: {_tail(completed)}"
        ) from None
    if not isinstance(dependencies, list) or not all(isinstance(d, dict) for d in dependencies):
        raise CheckError("pip-audit's JSON report has no list of dependencies")
    vulnerable = any(entry.get("vulns") for entry in dependencies)
    if completed.returncode == 1 and not vulnerable:
        raise CheckError(
            f"pip-audit failed (exit 1) without reporting a vulnerability: {_tail(completed)}"
        )
    return dependencies


def _tail(completed: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"


def _advisory(vuln: dict[str, Any]) -> Advisory:
    description = str(vuln.get("description") or "").strip().splitlines()
    return Advisory(
        id=str(vuln.get("id", "?")),
        aliases=tuple(str(alias) for alias in vuln.get("aliases", [])),
        summary=description[0] if description else "",
        fixed=tuple(str(version) for version in vuln.get("fix_versions", [])),
        severity=None,
    )
