"""A project on disk for the operations checks' tests: files written, a context to run on."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import Check, CheckContext
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult, Finding


def project(root: Path, files: dict[str, str]) -> CheckContext:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    return CheckContext(rootdir=root, files=ProjectFiles(root), cache=ContentCache(None))


def run(check_class: type[Check], ctx: CheckContext, **settings: Any) -> CheckResult:
    return check_class(check_class.Settings(**settings)).run(ctx)


def rules(result: CheckResult) -> list[str]:
    return sorted(finding.rule for finding in result.findings)


def by_rule(result: CheckResult, rule: str) -> list[Finding]:
    return [finding for finding in result.findings if finding.rule == rule]
