"""`dependencies`: what the project installs is pinned, hashed and locked in step with pyproject.

An application must be reproducible to the artifact: every runtime dependency resolved to one
version in a committed lock (or `==` in a requirements file) with hashes where the format has
them. A library keeps ranges in its metadata, but no floating VCS/URL dependency, and its test
environment still needs a lock or constraints file. Install commands in CI files, Dockerfiles
and scripts are held to the same standard.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from packaging.version import InvalidVersion, Version

from pytest_readiness.check import Check, CheckContext, CheckSkipped
from pytest_readiness.checks.supply_chain.entries import Declared, immutable_url
from pytest_readiness.checks.supply_chain.install_commands import (
    DEFAULT_INSTALL_FILES,
    FileState,
    InstallProblem,
    scan,
)
from pytest_readiness.checks.supply_chain.inventory import (
    DEFAULT_REQUIREMENT_FILES,
    Inventory,
    collect,
)
from pytest_readiness.checks.supply_chain.kind import (
    Kind,
    KindSetting,
    development,
    guess_kind,
)
from pytest_readiness.checks.supply_chain.requirements import read_requirements
from pytest_readiness.files import ProjectFile
from pytest_readiness.model import Category, CheckResult, Finding, Severity
from pytest_readiness.reading import read_text

_SHOWN_NAMES = 8
_LOCK_FIX = "commit a lock: `uv lock` (or `pip-compile --generate-hashes`, `poetry lock`)"


@dataclass
class DependenciesSettings:
    kind: KindSetting = "auto"
    """`auto` guesses (and says so in the summary): a lock file, a container file or a root
    `requirements.txt` (not dev/test/doc/lint/ci) means application, a `[project]` package
    without any of them means library."""
    requirements: list[str] = field(default_factory=lambda: list(DEFAULT_REQUIREMENT_FILES))
    """Requirements files (globs from the rootdir); names with `constraint` are constraints."""
    require_hashes: bool = True
    """Report pins without artifact hashes (`unhashed`) in an application."""
    install_files: list[str] = field(default_factory=lambda: list(DEFAULT_INSTALL_FILES))
    """Files whose `pip install`/`uv sync`/`pipx install` commands are checked; [] turns it off."""


class DependenciesCheck(Check):
    id = "dependencies"
    category = Category.SUPPLY_CHAIN
    severity = Severity.HIGH
    description = "Dependencies pinned to exact versions with hashes, lock in sync with pyproject"
    Settings = DependenciesSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: DependenciesSettings = self.settings
        inventory = collect(ctx, settings.requirements)
        kind, reason = guess_kind(ctx, inventory, settings.kind)
        install_files = ctx.files.select(include=settings.install_files)
        if not inventory.declared and not inventory.locked and not install_files:
            raise CheckSkipped("no dependency declared, locked or installed")
        findings = self._direct_references(inventory)
        if kind == "application":
            findings += self._application(inventory)
        else:
            findings += self._library(inventory)
        findings += self._lock_sync(inventory, kind)
        findings += self._install_commands(ctx, install_files, kind)
        result = CheckResult(
            findings=findings,
            metrics={
                "declared": float(len(inventory.declared)),
                "locked": float(len(inventory.locked)),
                "install_files_scanned": float(len(install_files)),
            },
        )
        sources = ", ".join(inventory.lock_files + inventory.requirement_files) or "none"
        result.summary = (
            f"{kind} ({reason}); {len(inventory.declared)} declared, "
            f"{len(inventory.locked)} locked; lock/requirements files: {sources}; "
            f"{len(findings)} finding(s)"
        )
        return result

    def _direct_references(self, inventory: Inventory) -> list[Finding]:
        findings = []
        for entry in inventory.declared:
            url = entry.direct_url
            if url is None or entry.local or immutable_url(url):
                continue
            findings.append(
                self.finding(
                    "unbounded-reference",
                    f"{entry.name or entry.text} comes from {url}, which can change under the "
                    "same name (no commit id or archive hash)",
                    path=entry.path,
                    line=entry.line,
                    fix="pin a full commit id (`@<40-hex>`) or add `#sha256=` to the URL, "
                    "or depend on a released version",
                    key=entry.name or url,
                )
            )
        return findings

    def _application(self, inventory: Inventory) -> list[Finding]:
        settings: DependenciesSettings = self.settings
        findings = []
        resolved = {entry.name for entry in inventory.locked if entry.version is not None}
        resolved.update(entry.name for entry in inventory.declared if entry.version is not None)
        hashed = {entry.name for entry in inventory.locked if entry.hashed}
        hashed.update(entry.name for entry in inventory.declared if entry.hashes)
        synced = any(scope.from_pyproject for scope in inventory.lock_scopes.values())
        own = inventory.first_party()
        unhashed: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for entry in inventory.declared:
            if entry.direct_url is not None or entry.origin == "constraints" or entry.name in own:
                continue
            if entry.name not in resolved:
                if not (synced and entry.path == "pyproject.toml"):
                    findings.append(self._unpinned(entry))
            elif settings.require_hashes and entry.name not in hashed:
                if entry.version is None and entry.name in self._pinned_elsewhere(inventory):
                    continue
                unhashed[entry.path].append((entry.name, entry.line))
        for locked in inventory.locked:
            if locked.local or locked.hashed:
                continue
            if locked.source == "vcs":
                findings.append(
                    self.finding(
                        "unpinned",
                        f"{locked.name} is locked to a VCS branch or tag, not a commit",
                        path=locked.path,
                        line=locked.line,
                        fix="re-lock so the entry records the resolved commit",
                        key=locked.name,
                    )
                )
            elif settings.require_hashes:
                unhashed[locked.path].append((locked.name, locked.line))
        findings += [self._unhashed(path, pins) for path, pins in unhashed.items()]
        return findings

    @staticmethod
    def _pinned_elsewhere(inventory: Inventory) -> set[str]:
        """Names whose unhashed pin is reported where it is written (a lock or `==` line)."""
        names = {entry.name for entry in inventory.locked}
        names.update(
            entry.name
            for entry in inventory.declared
            if entry.version is not None and entry.origin != "constraints"
        )
        return names

    def _unpinned(self, entry: Declared) -> Finding:
        return self.finding(
            "unpinned",
            f"{entry.text!r} is not resolved to one exact version in any lock or requirements file",
            severity=Severity.MEDIUM if development(entry) else None,
            path=entry.path,
            line=entry.line,
            fix=_LOCK_FIX if entry.origin != "requirements" else _hash_fix(entry.path),
            key=entry.name,
        )

    def _unhashed(self, path: str, pins: list[tuple[str, int]]) -> Finding:
        """One finding per file: the fix (re-lock with hashes) is one command for all of them."""
        names = sorted({name for name, _ in pins})
        shown = ", ".join(names[:_SHOWN_NAMES])
        more = f" and {len(names) - _SHOWN_NAMES} more" if len(names) > _SHOWN_NAMES else ""
        if path.endswith((".lock", ".toml")) and path != "pyproject.toml":
            fix = f"re-create {path} with hashes (the lock tool's default)"
        else:
            fix = _hash_fix(path)
        return self.finding(
            "unhashed",
            f"{len(names)} pinned package(s) without an artifact hash, so a replaced upload "
            f"would install: {shown}{more}",
            severity=Severity.MEDIUM,
            path=path,
            line=min(line for _, line in pins),
            fix=fix,
            key=path,
        )

    def _library(self, inventory: Inventory) -> list[Finding]:
        """Reproducible when a lock exists or one requirements/constraints file pins everything."""
        by_file: dict[str, list[Declared]] = defaultdict(list)
        for entry in inventory.declared:
            if entry.origin in ("requirements", "constraints") and not entry.local:
                by_file[entry.path].append(entry)
        complete = [
            path
            for path, entries in by_file.items()
            if all(entry.version is not None or entry.direct_url is not None for entry in entries)
        ]
        if inventory.lock_files or complete:
            return []
        partial = f" ({', '.join(sorted(by_file))} pin only part of it)" if by_file else ""
        return [
            self.finding(
                "no-reproducible-env",
                "no lock or fully pinned constraints file: the test and CI environment changes "
                f"with every release of a dependency{partial}",
                severity=Severity.MEDIUM,
                path="pyproject.toml" if inventory.project is not None else None,
                fix="commit a lock (`uv lock`) or a constraints file "
                "(`pip-compile --all-extras -o constraints.txt`)",
                key="environment",
            )
        ]

    def _lock_sync(self, inventory: Inventory, kind: Kind) -> list[Finding]:
        """pyproject.toml against the locks made from it, only for the groups each one locked."""
        own = inventory.first_party()
        findings = []
        for declared in inventory.declared:
            requirement = declared.requirement
            if declared.path != "pyproject.toml" or requirement is None or declared.name in own:
                continue
            group = "default" if declared.origin == "runtime" else declared.group
            locks = {path for path, scope in inventory.lock_scopes.items() if scope.covers(group)}
            if not locks:
                continue
            from_pyproject = [entry for entry in inventory.locked if entry.path in locks]
            locked_names = {entry.name for entry in from_pyproject}
            versions: dict[str, list[str]] = {}
            for entry in from_pyproject:
                if entry.version is not None:
                    versions.setdefault(entry.name, []).append(entry.version)
            blocking = kind == "application" and declared.origin == "runtime"
            severity = None if blocking else Severity.MEDIUM
            if declared.name not in locked_names:
                if requirement.marker is None:
                    findings.append(
                        self._out_of_sync(declared, "is missing from the lock", severity)
                    )
                continue
            allowed = [v for v in versions.get(declared.name, []) if _satisfies(declared, v)]
            if versions.get(declared.name) and not allowed:
                locked = ", ".join(versions[declared.name])
                findings.append(
                    self._out_of_sync(
                        declared, f"is locked at {locked}, outside the declared range", severity
                    )
                )
        return findings

    def _out_of_sync(self, declared: Declared, problem: str, severity: Severity | None) -> Finding:
        return self.finding(
            "lock-out-of-sync",
            f"{declared.text!r} {problem}: the lock is older than the declaration",
            severity=severity,
            path=declared.path,
            line=declared.line,
            fix="re-lock (`uv lock`, `poetry lock`, `pdm lock`) and commit the lock",
            key=declared.name,
        )

    def _install_commands(
        self, ctx: CheckContext, files: list[ProjectFile], kind: Kind
    ) -> list[Finding]:
        states = _RequirementFileStates(ctx.rootdir)
        findings = []
        for file in files:
            text = read_text(file, errors="replace")
            for problem in scan(file.path, text, states.state):
                findings.append(self._install_finding(problem, kind))
        return findings

    def _install_finding(self, problem: InstallProblem, kind: Kind) -> Finding:
        application = kind == "application"
        if problem.rule == "install-unpinned":
            severity = None if application else Severity.MEDIUM
            message = f"`{problem.subject}` is installed without an exact version"
            fix = "install from a hashed lock: `pip install --require-hashes -r requirements.txt`"
        elif problem.rule == "install-unhashed":
            severity = Severity.MEDIUM if application else Severity.LOW
            message = f"`{problem.subject}` is installed pinned but without hash checking"
            fix = "install from a hashed lock: `pip install --require-hashes -r requirements.txt`"
        else:
            severity = Severity.MEDIUM
            message = "`uv sync` may re-resolve and rewrite the lock"
            fix = "use `uv sync --locked` (fail when the lock is stale) or `--frozen`"
        return self.finding(
            problem.rule,
            f"{message}: {problem.command}",
            severity=severity,
            path=problem.path,
            line=problem.line,
            fix=fix,
            key=problem.subject,
        )


class _RequirementFileStates:
    """How pinned a requirements file named by an install command is, read once per name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = cache(self._state)

    def _state(self, name: str) -> FileState | None:
        target = (self.root / name).resolve()
        if "$" in name or not target.is_file():
            return None
        entries = [
            entry
            for entry in read_requirements(self.root, [target]).entries
            if entry.origin != "constraints" and not entry.local
        ]
        if not all(entry.version is not None for entry in entries):
            return "unpinned"
        return "hashed" if all(entry.hashes for entry in entries) else "pinned"


def _satisfies(declared: Declared, version: str) -> bool:
    assert declared.requirement is not None
    try:
        parsed = Version(version)
    except InvalidVersion:
        return True
    return declared.requirement.specifier.contains(parsed, prereleases=True)


def _hash_fix(path: str) -> str:
    if path == "pyproject.toml":
        return _LOCK_FIX
    source = path.rsplit(".", 1)[0] + ".in"
    return (
        f"pip-compile --generate-hashes {source} -o {path} (or `uv pip compile --generate-hashes`)"
    )
