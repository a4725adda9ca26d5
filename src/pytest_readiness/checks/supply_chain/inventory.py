"""The project's dependency inventory: everything declared and everything locked, in one place.

Both supply-chain checks start here. The pinned set (`pins`) is what the vulnerability audit
looks at: every exact version the project installs, whichever file says so, with every
environment marker and every include taken into account rather than the running interpreter's.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

from pytest_readiness.check import CheckContext
from pytest_readiness.checks.supply_chain.entries import (
    Declared,
    Locked,
    applies_here,
    archive_release,
)
from pytest_readiness.checks.supply_chain.locks import LockScope, lock_format, lock_scope, read_lock
from pytest_readiness.checks.supply_chain.pyproject import ProjectDeclaration, read_pyproject
from pytest_readiness.checks.supply_chain.requirements import read_requirements

DEFAULT_REQUIREMENT_FILES = (
    "requirements*.txt",
    "requirements/*.txt",
    "requirements*.lock",
    "constraints*.txt",
)
"""Root-anchored globs: a `requirements.txt` deep in a test fixture is not the project's."""


@dataclass(frozen=True)
class Pin:
    """One exact version the project installs, and where that is written."""

    name: str
    version: str
    path: str
    line: int
    installed: bool = False
    """Read from the running (test) environment rather than written in a file."""


@dataclass(frozen=True)
class Unpinnable:
    """A third-party dependency with no version to audit: a VCS or URL reference."""

    name: str
    reference: str
    path: str
    line: int


@dataclass
class Inventory:
    project: ProjectDeclaration | None
    declared: list[Declared] = field(default_factory=list)
    locked: list[Locked] = field(default_factory=list)
    lock_files: list[str] = field(default_factory=list)
    lock_scopes: dict[str, LockScope] = field(default_factory=dict)
    requirement_files: list[str] = field(default_factory=list)

    @property
    def project_name(self) -> str | None:
        name = self.project.name if self.project else None
        return canonicalize_name(name) if name else None

    def first_party(self, extra: Iterable[str] = ()) -> set[str]:
        """Names that are the project's own code, never looked up in an advisory database."""
        names: set[str] = {canonicalize_name(name) for name in extra}
        if self.project_name:
            names.add(self.project_name)
        names.update(entry.name for entry in self.locked if entry.local)
        names.update(entry.name for entry in self.declared if entry.local and entry.name)
        return names

    def pins(self, first_party: Iterable[str] = ()) -> tuple[list[Pin], list[Unpinnable]]:
        """The exact versions to audit, each once, and the third-party references without one."""
        own = self.first_party(first_party)
        pins: dict[tuple[str, str], Pin] = {}
        unpinnable: list[Unpinnable] = []
        for locked in self.locked:
            if locked.name in own:
                continue
            if locked.version is None:
                unpinnable.append(Unpinnable(locked.name, locked.source, locked.path, locked.line))
                continue
            pins.setdefault(
                (locked.name, locked.version),
                Pin(locked.name, locked.version, locked.path, locked.line),
            )
        for entry in self.declared:
            if entry.local or (entry.name and entry.name in own):
                continue
            release = archive_release(entry.direct_url or "")
            version = entry.version or (release[1] if release else None)
            if version is not None:
                pins.setdefault(
                    (entry.name, version), Pin(entry.name, version, entry.path, entry.line)
                )
            elif entry.direct_url is not None and not self._locked(entry.name):
                unpinnable.append(
                    Unpinnable(entry.name or entry.text, entry.direct_url, entry.path, entry.line)
                )
        return sorted(pins.values(), key=lambda pin: (pin.name, pin.version)), unpinnable

    def unresolved(self, first_party: Iterable[str] = ()) -> list[Declared]:
        """Third-party registry requirements that no lock entry or `==` pin resolves."""
        own = self.first_party(first_party)
        pinned = {entry.name for entry in self.locked if entry.version is not None}
        pinned.update(entry.name for entry in self.declared if entry.version is not None)
        return [
            entry
            for entry in self.declared
            if entry.name
            and entry.name not in own
            and entry.name not in pinned
            and entry.direct_url is None
            and entry.origin != "constraints"
        ]

    def _locked(self, name: str) -> bool:
        return bool(name) and any(entry.name == name for entry in self.locked)


def installed_pins(entries: Iterable[Declared]) -> tuple[list[Pin], list[Declared]]:
    """The running environment's version of each requirement, and those it does not hold.

    What pip-audit audits with no arguments, narrowed to the given requirements; one whose
    marker is false here is neither (it is not installed on this platform by design).
    """
    pins: dict[str, Pin] = {}
    missing = []
    for entry in entries:
        requirement = entry.requirement
        if requirement is None or entry.name in pins:
            continue
        if not applies_here(requirement):
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            missing.append(entry)
            continue
        pins[entry.name] = Pin(entry.name, version, entry.path, entry.line, installed=True)
    return sorted(pins.values(), key=lambda pin: pin.name), missing


def collect(ctx: CheckContext, requirement_patterns: Iterable[str]) -> Inventory:
    """Read pyproject.toml, the lock files at the root and the matching requirements files."""
    patterns = tuple(requirement_patterns)
    inventory = Inventory(project=read_pyproject(ctx.rootdir))
    if inventory.project is not None:
        inventory.declared += inventory.project.entries
    requirement_paths: list[Path] = []
    constraint_paths: list[Path] = []
    for file in ctx.files.all:
        if "/" not in file.path and lock_format(file.path) is not None:
            inventory.locked += read_lock(file.absolute, file.path)
            inventory.lock_files.append(file.path)
            inventory.lock_scopes[file.path] = lock_scope(file.absolute, inventory.project_name)
        elif any(fnmatch.fnmatchcase(file.path, pattern) for pattern in patterns):
            chosen = constraint_paths if "constraint" in file.path else requirement_paths
            chosen.append(file.absolute)
    requirements = read_requirements(ctx.rootdir, requirement_paths, constraint_paths)
    inventory.declared += requirements.entries
    inventory.requirement_files = requirements.files
    return inventory
