"""`licenses`: every dependency's licence is known, allowed, and (for a library) compatible.

The set is what the project locks, pins and declares for running (development files, extras
and groups left out), plus what those need in turn, read from the distributions installed in
the test environment (lock files carry no licences; the wheel metadata does). Like
pip-licenses, each licence comes from the metadata; like liccheck, a policy judges it:
`allow`, `deny`, and for a library the compatibility with the project's own licence. A licence
that cannot be read or mapped to SPDX is a finding, never a pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from pytest_readiness.check import Check, CheckContext, CheckSkipped
from pytest_readiness.checks.supply_chain.entries import applies_here
from pytest_readiness.checks.supply_chain.inventory import (
    DEFAULT_REQUIREMENT_FILES,
    Inventory,
    collect,
)
from pytest_readiness.checks.supply_chain.kind import KindSetting, development, guess_kind
from pytest_readiness.checks.supply_chain.license_metadata import (
    LicenseReading,
    from_classifiers,
    read_license,
)
from pytest_readiness.checks.supply_chain.spdx import Expression, compatible, matches, parse
from pytest_readiness.model import Category, CheckResult, Finding, Severity

_SHOWN_LICENSES = 6
_SHOWN_MISSING = 10


@dataclass
class LicensesSettings:
    allow: list[str] = field(default_factory=list)
    """SPDX ids (or globs, `BSD-*`) allowed; when set, any other licence is a finding."""
    deny: list[str] = field(default_factory=list)
    """SPDX ids (or globs, `AGPL-*`) never allowed, whatever `allow` says."""
    compatibility: Literal["library", "always", "never"] = "library"
    """When dependencies must be compatible with the project's own licence: `library` (the
    default: what it distributes carries its licence), `always`, or `never`."""
    kind: KindSetting = "auto"
    """As in `dependencies`."""
    first_party: list[str] = field(default_factory=list)
    """Your own packages: not checked."""
    requirements: list[str] = field(default_factory=lambda: list(DEFAULT_REQUIREMENT_FILES))
    """Requirements files whose packages are checked (development ones are left out)."""

    def validate(self) -> None:
        for name, patterns in (("allow", self.allow), ("deny", self.deny)):
            for pattern in patterns:
                if "*" in pattern or "?" in pattern:
                    continue
                parsed = parse(pattern)
                if parsed is None or len(parsed.keys()) != 1:
                    raise ValueError(f"{name}: {pattern!r} is not an SPDX licence id or a glob")


@dataclass(frozen=True)
class Wanted:
    """A distribution to check, and where the project asks for it."""

    name: str
    version: str | None
    path: str
    line: int
    via: str = ""
    """The dependency that requires it, when the project does not name it itself."""


@dataclass(frozen=True)
class Reading:
    wanted: Wanted
    version: str
    license: LicenseReading

    @property
    def where(self) -> str:
        pinned = self.wanted.version
        other = f", pinned {pinned}" if pinned and pinned != self.version else ""
        via = f"; required by {self.wanted.via}" if self.wanted.via else ""
        return f"{self.license.source} of the installed {self.version}{other}{via}"


class LicensesCheck(Check):
    id = "licenses"
    category = Category.SUPPLY_CHAIN
    severity = Severity.HIGH
    description = "Every dependency's licence is known, allowed and compatible with the project's"
    Settings = LicensesSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: LicensesSettings = self.settings
        inventory = collect(ctx, settings.requirements)
        kind, reason = guess_kind(ctx, inventory, settings.kind)
        wanted = _closure(_named(inventory, settings.first_party))
        if not wanted:
            raise CheckSkipped("no third-party dependency to check")
        own = _project_license(inventory)
        judge_compatibility = settings.compatibility == "always" or (
            settings.compatibility == "library" and kind == "library"
        )
        result = CheckResult()
        families: Counter[str] = Counter()
        missing = []
        for item in wanted:
            reading = _read(item)
            if reading is None:
                missing.append(item)
                continue
            expression = reading.license.expression
            families[expression.text if expression else "unknown"] += 1
            result.findings += self._judge(reading, own if judge_compatibility else None)
        if missing:
            result.findings.append(self._unreadable(missing))
        result.metrics = {
            "distributions": float(len(wanted)),
            "unknown": float(len([f for f in result.findings if f.rule == "license-unknown"])),
        }
        common = families.most_common(_SHOWN_LICENSES)
        shown = ", ".join(f"{count} {name}" for name, count in common) or "none"
        compatibility = (
            f"compatibility with the project's {own.text} checked"
            if judge_compatibility and own
            else "compatibility not checked"
            + (" (the project's own licence is not SPDX)" if judge_compatibility else "")
        )
        result.summary = (
            f"{kind} ({reason}); {len(wanted)} distribution(s), licences read from the "
            f"installed metadata: {shown}; {compatibility}; {len(result.findings)} finding(s)"
        )
        return result

    def _judge(self, reading: Reading, own: Expression | None) -> list[Finding]:
        settings: LicensesSettings = self.settings
        expression = reading.license.expression
        if expression is None:
            return [self._unknown(reading)]
        problems = []
        if settings.deny and not expression.holds(lambda key: not matches(key, settings.deny)):
            problems.append(("license-denied", "which `deny` lists"))
        if settings.allow and not expression.holds(lambda key: matches(key, settings.allow)):
            problems.append(("license-not-allowed", "which `allow` does not list"))
        if own is not None and not expression.holds(
            lambda key: own.holds(lambda mine: compatible(mine, key))
        ):
            problems.append(
                ("license-incompatible", f"which a project licensed {own.text} cannot depend on")
            )
        item = reading.wanted
        return [
            self.finding(
                rule,
                f"{item.name} {reading.version} is licensed {expression.text} "
                f"({reading.where}), {why}",
                path=item.path,
                line=item.line,
                fix=f"replace {item.name}, get a different licence for it, or waive it with "
                "the reason it is acceptable",
                key=item.name,
            )
            for rule, why in problems
        ]

    def _unknown(self, reading: Reading) -> Finding:
        item = reading.wanted
        stated = (
            f"{reading.license.raw!r} ({reading.where}) is not an SPDX expression or a known "
            "licence name"
            if reading.license.raw
            else f"its metadata states no licence ({reading.where})"
        )
        return self.finding(
            "license-unknown",
            f"{item.name} {reading.version}: licence unknown: {stated}",
            path=item.path,
            line=item.line,
            fix="read the package's licence and waive this finding with it, or replace it",
            key=item.name,
        )

    def _unreadable(self, missing: list[Wanted]) -> Finding:
        """One finding for all of them: the cause (the wrong environment) is one."""
        names = [item.name for item in missing]
        shown = ", ".join(names[:_SHOWN_MISSING])
        more = f" and {len(names) - _SHOWN_MISSING} more" if len(names) > _SHOWN_MISSING else ""
        return self.finding(
            "license-unknown",
            f"{len(names)} distribution(s) not installed in the test environment, so their "
            f"licences cannot be read: {shown}{more}",
            path=missing[0].path,
            line=missing[0].line,
            fix="run the gate in the environment built from the lock (as CI installs it)",
            key="not-installed",
        )


def _named(inventory: Inventory, first_party: Iterable[str]) -> list[Wanted]:
    """What the project locks, pins or declares for running, each name once, pins first."""
    own = inventory.first_party(first_party)
    found: dict[str, Wanted] = {}
    for locked in inventory.locked:
        if not locked.local and locked.name not in own:
            found.setdefault(
                locked.name, Wanted(locked.name, locked.version, locked.path, locked.line)
            )
    for entry in sorted(inventory.declared, key=lambda entry: entry.version is None):
        if not entry.name or entry.local or entry.name in own:
            continue
        if entry.origin == "constraints" or development(entry):
            continue
        if entry.requirement is not None and not applies_here(entry.requirement):
            continue
        found.setdefault(entry.name, Wanted(entry.name, entry.version, entry.path, entry.line))
    return sorted(found.values(), key=lambda item: item.name)


def _closure(named: list[Wanted]) -> list[Wanted]:
    """`named` plus everything their installed distributions require here, transitively."""
    found = {item.name: item for item in named}
    queue = list(named)
    while queue:
        item = queue.pop()
        try:
            requires = metadata.requires(item.name) or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if not applies_here(requirement):
                continue
            name = canonicalize_name(requirement.name)
            if name not in found:
                found[name] = Wanted(name, None, item.path, item.line, via=item.via or item.name)
                queue.append(found[name])
    return sorted(found.values(), key=lambda item: item.name)


def _read(item: Wanted) -> Reading | None:
    try:
        distribution = metadata.distribution(item.name)
    except metadata.PackageNotFoundError:
        return None
    return Reading(item, distribution.version, read_license(distribution.metadata))


def _project_license(inventory: Inventory) -> Expression | None:
    """The project's own licence: PEP 639 `license = "MIT"`, `license = {text = ...}`, or its
    trove classifiers (when `license = {file = ...}` points at a text)."""
    project = inventory.project.data.get("project", {}) if inventory.project else {}
    if not isinstance(project, dict):
        return None
    declared = project.get("license")
    if isinstance(declared, dict):
        declared = declared.get("text")
    stated = parse(declared) if isinstance(declared, str) else None
    classifiers = project.get("classifiers", [])
    if stated is None and isinstance(classifiers, list):
        stated = from_classifiers([str(item) for item in classifiers]).expression
    return stated
