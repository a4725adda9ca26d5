"""`fixme`: source lines marked FIXME are known defects shipped; each one is a finding."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from pytest_readiness import Category, Check, CheckContext, CheckError, CheckResult, Severity

MARKER = re.compile(r"#\s*FIXME\b:?\s*(?P<note>.*)")


@dataclass
class FixmeSettings:
    paths: list[str] = field(default_factory=lambda: ["src"])
    suffixes: list[str] = field(default_factory=lambda: [".py"])


class FixmeCheck(Check):
    id = "fixme"
    category = Category.QUALITY
    severity = Severity.LOW
    description = "No FIXME markers left in the shipped source"
    Settings = FixmeSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: FixmeSettings = self.settings
        result = CheckResult()
        files = ctx.files.select(include=settings.paths, suffixes=settings.suffixes)
        for file in files:
            try:
                text = file.absolute.read_text("utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CheckError(f"{file.path}: cannot be read: {error}") from error
            for number, line in enumerate(text.splitlines(), start=1):
                match = MARKER.search(line)
                if match:
                    result.findings.append(
                        self.finding(
                            "fixme",
                            f"FIXME: {match['note'] or '(no note)'}",
                            path=file.path,
                            line=number,
                            fix="fix it, or turn it into an issue and remove the marker",
                            key=line.strip(),
                        )
                    )
        result.metrics["files_scanned"] = float(len(files))
        result.summary = f"{len(result.findings)} FIXME marker(s) in {len(files)} file(s)"
        return result


@pytest.hookimpl
def pytest_readiness_checks() -> list[type[Check]]:
    return [FixmeCheck]
