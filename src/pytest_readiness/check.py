"""The small interface a readiness check implements, built-in or from another package.

A check knows nothing about pytest: it gets a `CheckContext` (where the project is, its
settings, a content cache) and returns a `CheckResult`. The gate turns it into a test item.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pytest_readiness.cache import ContentCache
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import Category, CheckResult, Finding, Severity, fingerprint

TEST_RUN_ARTIFACT = "tests"
"""The key under which `CheckContext.artifacts` holds the run's `TestRun` for deferred checks."""
RECORDS_ARTIFACT = "records"
"""Every record of the run so far, for a check that `reads_records` (it runs after the rest)."""
ATTESTATIONS_ARTIFACT = "attestations"
"""The configured attestations (`[[tool.readiness.attestations]]`)."""
REVIEW_ARTIFACT = "review"
"""The review section the `review` check leaves for the JSON report."""


class CheckError(Exception):
    """The check could not do its job (tool missing, network down, unreadable input).

    The gate records it as an error of the check's severity: never a silent pass.
    """


class CheckSkipped(Exception):
    """The check has nothing to look at here, or the run leaves it nothing to decide."""


@dataclass(frozen=True)
class NoSettings:
    """Settings of a check that takes none beyond the common `enabled` and `severity`."""


@dataclass
class CheckContext:
    """What a check may use: the project, the run's options and shared services."""

    rootdir: Path
    files: ProjectFiles
    cache: ContentCache
    baseline_update: bool = False
    readiness_only: bool = False
    artifacts: dict[str, Any] = field(default_factory=dict)
    """Data that other parts of the run left for deferred checks (e.g. combined coverage)."""


class Check(abc.ABC):
    """A readiness check: subclass it, set the class attributes, implement `run`.

    `Settings` is a dataclass whose fields all have defaults; the gate fills it from
    `[tool.readiness.<id>]` and rejects unknown keys. `deferred` checks are decided on the
    controller after every test has run (coverage, the test outcome); the others run as
    ordinary items on whichever process pytest-xdist gives them.
    """

    id: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity]
    description: ClassVar[str]
    Settings: ClassVar[Any] = NoSettings
    deferred: ClassVar[bool] = False
    needs_test_run: ClassVar[bool] = False
    """Skipped under `--readiness-only`, where the ordinary tests do not run."""
    reads_records: ClassVar[bool] = False
    """A deferred check that judges the other checks' records runs after every other one."""

    def __init__(self, settings: Any, *, severity: Severity | None = None, param: str = "") -> None:
        self.settings = settings
        self.effective_severity = severity or self.severity
        self.param = param

    @classmethod
    def instances(cls, settings: Any, *, severity: Severity | None = None) -> Sequence[Check]:
        """The items this check contributes; one by default, one per entry for list settings."""
        return [cls(settings, severity=severity)]

    @classmethod
    def session_plugin(cls, settings: Any, artifacts: dict[str, Any]) -> object | None:
        """An object with pytest hooks this check needs during the run, or None.

        Registered once per process when the check is selected and the test run happens
        (not under `--readiness-only` for `needs_test_run` checks): the coverage check measures
        the tests this way and leaves its data in `artifacts` for its deferred `run`.
        """
        return None

    @property
    def name(self) -> str:
        """The item name: the id, with the parameter in brackets as pytest writes them."""
        return f"{self.id}[{self.param}]" if self.param else self.id

    @abc.abstractmethod
    def run(self, ctx: CheckContext) -> CheckResult:
        """Look at the project and return findings; raise CheckError when unable to look."""

    def finding(
        self,
        rule: str,
        message: str,
        *,
        severity: Severity | None = None,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        fix: str = "",
        key: str | None = None,
    ) -> Finding:
        """Build a finding with this check's severity and a fingerprint from `key`.

        `key` is what identifies the problem independently of its line: the offending text,
        a hash of a secret, a package name. It defaults to the message.
        """
        return Finding(
            rule=rule,
            message=message,
            severity=severity or self.effective_severity,
            fingerprint=fingerprint(self.id, rule, path, message if key is None else key),
            path=path,
            line=line,
            column=column,
            fix=fix,
        )
