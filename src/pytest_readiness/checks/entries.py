"""Checks configured as a list of named entries (`[[tool.readiness.<id>]]`): one item per entry.

The runtime checks (`health`, `shutdown`) each start a service per entry; every entry becomes
its own item, `<id>[<name>]`, so that `-k`, xdist and the report treat them separately.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from pytest_readiness.check import Check
from pytest_readiness.model import Severity
from pytest_readiness.settings import SettingsError

ENTRY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class NamedEntry(Protocol):
    @property
    def name(self) -> str: ...


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
