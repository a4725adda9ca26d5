"""`project-metadata`: the files and declarations a released project needs to be usable at all."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field

from pytest_readiness.check import Check, CheckContext, CheckError
from pytest_readiness.model import Category, CheckResult, Severity
from pytest_readiness.reading import read_text


@dataclass
class ProjectMetadataSettings:
    readme: list[str] = field(default_factory=lambda: ["README", "README.*"])
    licence: list[str] = field(
        default_factory=lambda: ["LICENSE", "LICENSE.*", "LICENCE", "LICENCE.*", "COPYING"]
    )
    require_python_version: bool = True


class ProjectMetadataCheck(Check):
    id = "project-metadata"
    category = Category.QUALITY
    severity = Severity.MEDIUM
    description = "A README, a licence and a declared requires-python"
    Settings = ProjectMetadataSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: ProjectMetadataSettings = self.settings
        result = CheckResult()
        top_level = {path.name for path in ctx.rootdir.iterdir() if path.is_file()}
        project = self._project_table(ctx)
        if not _any_match(top_level, settings.readme):
            result.findings.append(
                self.finding(
                    "missing-readme",
                    "no README at the project root",
                    fix="add a README.md that says what the project is and how to run it",
                )
            )
        if not _any_match(top_level, settings.licence) and "license" not in project:
            result.findings.append(
                self.finding(
                    "missing-licence",
                    "no licence file and no `license` in [project]",
                    fix="add a LICENSE file or a `license` field to [project] in pyproject.toml",
                )
            )
        if settings.require_python_version and "requires-python" not in project:
            result.findings.append(
                self.finding(
                    "missing-requires-python",
                    "pyproject.toml declares no `requires-python`",
                    severity=Severity.LOW,
                    path="pyproject.toml" if (ctx.rootdir / "pyproject.toml").exists() else None,
                    fix='add `requires-python = ">=3.11"` (your lowest supported) to [project]',
                )
            )
        result.summary = (
            f"{len(result.findings)} missing item(s)" if result.findings else "metadata complete"
        )
        return result

    @staticmethod
    def _project_table(ctx: CheckContext) -> dict[str, object]:
        pyproject = ctx.rootdir / "pyproject.toml"
        if not pyproject.exists():
            return {}
        try:
            data = tomllib.loads(read_text(pyproject))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise CheckError(f"pyproject.toml cannot be read: {error}") from error
        project = data.get("project", {})
        return project if isinstance(project, dict) else {}


def _any_match(names: set[str], patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for name in names for pattern in patterns)
