"""Checks configured as a list of named entries (`[[tool.readiness.<id>]]`): one item per entry.

The runtime checks (`health`, `shutdown`, `load`, `metrics`) each start a service per entry;
every entry becomes its own item, `<id>[<name>]`, so that `-k`, xdist and the report treat them
separately.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from pytest_readiness.check import Check, CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.secrets.scanner import withhold_secrets
from pytest_readiness.model import CheckResult, Severity
from pytest_readiness.runner import StartupError
from pytest_readiness.settings import SettingsError

ENTRY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class NamedEntry(Protocol):
    @property
    def name(self) -> str: ...


Entry = TypeVar("Entry")


class EntryCheck(Check, Generic[Entry]):
    """A check with one item per entry; without any entry, one item that skips saying so."""

    @classmethod
    def instances(cls, settings: Any, *, severity: Severity | None = None) -> Sequence[Check]:
        return per_entry(cls, settings, severity)

    def run(self, ctx: CheckContext) -> CheckResult:
        if isinstance(self.settings, list):
            raise CheckSkipped(f"no [[tool.readiness.{self.id}]] entry is configured")
        entry: Entry = self.settings
        return self.run_entry(ctx, entry)

    @abc.abstractmethod
    def run_entry(self, ctx: CheckContext, entry: Entry) -> CheckResult:
        """Check the service of one entry."""


def check_entry_name(name: str) -> None:
    if not ENTRY_NAME.fullmatch(name):
        raise ValueError(f"name {name!r} must be letters, digits, '-', '_' or '.'")


def per_entry(
    check: type[Check], entries: Sequence[NamedEntry], severity: Severity | None
) -> Sequence[Check]:
    """One item per entry, named after it; a single item (which skips) when there is none."""
    if not entries:
        return [check(list(entries), severity=severity)]
    names = [entry.name for entry in entries]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise SettingsError(
            f"tool.readiness.{check.id}",
            f"entry names must be unique; repeated: {', '.join(twice)}",
        )
    return [check(entry, severity=severity, param=entry.name) for entry in entries]


def startup_failure(what: str, error: StartupError, consequence: str = "") -> CheckError:
    """The check's error for a process that did not start: nothing it would measure is true.

    The process's last output is quoted (it says why), with lines that hold a secret withheld.
    """
    output = withhold_secrets(error.output_tail) if error.output_tail else ""
    tail = f"; last output:\n{output}" if output else ""
    return CheckError(f"{what} {error.reason}{consequence}{tail}")
