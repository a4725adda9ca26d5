"""`vulnerabilities`: no pinned dependency has a known advisory, and every pin was really audited.

The pinned set comes from the inventory (locks and requirements, all markers, includes
followed), not from the running environment; only a library without a lock is audited on the
versions its test environment holds, for its declared runtime dependencies. It is audited
either offline against an OSV database the project points at (which must hold PyPI records and
be recent), or online with pip-audit. Fail closed: a requirement with no version to audit is a
`not-audited` finding, and an audit that could not finish is an error.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from packaging.version import InvalidVersion, Version

from pytest_readiness.cache import content_key
from pytest_readiness.check import Check, CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.supply_chain.entries import Declared, is_pep440
from pytest_readiness.checks.supply_chain.inventory import (
    DEFAULT_REQUIREMENT_FILES,
    Pin,
    Unpinnable,
    collect,
    installed_pins,
)
from pytest_readiness.checks.supply_chain.kind import Kind, KindSetting, development, guess_kind
from pytest_readiness.checks.supply_chain.osv import (
    Advisory,
    AdvisoryDatabase,
    Unmatchable,
    database_fingerprint,
    load_database,
)
from pytest_readiness.checks.supply_chain.pipaudit import AuditRequest, audit
from pytest_readiness.model import Category, CheckResult, Finding, Severity

CACHE_NAMESPACE = "vulnerabilities-v2"
UPDATE_COMMAND = "python -m pytest_readiness.advisories update"
_NOT_AUDITED_FIX = (
    "pin it (`==X` in a hashed lock) so the deployed version is the audited one, "
    "or list it in `first_party` if it is your own package"
)
_SHOWN_UNAUDITED = 10


@dataclass
class AdvisoryIgnore:
    """An accepted advisory: which one, why, and until when (then it counts again)."""

    id: str
    reason: str
    expires: datetime.date

    def validate(self) -> None:
        if not self.id.strip() or not self.reason.strip():
            raise ValueError("an ignore needs a non-empty `id` and `reason`")


@dataclass
class VulnerabilitiesSettings:
    advisory_db: str = ""
    """Offline OSV database (JSON or YAML records, a zip, an osv-scanner cache); empty: online."""
    advisory_db_max_age_days: int = 7
    """An error when the newest record is older than this; 0 turns the age check off (a risk)."""
    kind: KindSetting = "auto"
    """As in `dependencies`: an application's unaudited requirements are high findings; a
    library without a lock is audited on its test environment's runtime dependencies."""
    service: Literal["osv", "pypi"] = "osv"
    """pip-audit's vulnerability service for the online audit."""
    osv_url: str = ""
    """pip-audit's `--osv-url` (a mirror); empty: https://api.osv.dev/v1/query."""
    timeout_s: int = 15
    """pip-audit's socket timeout in seconds."""
    cache_ttl_hours: float = 24.0
    """How long an audit of the same pinned set is reused; 0 audits every run."""
    first_party: list[str] = field(default_factory=list)
    """Your own packages: never looked up, so they may not be on PyPI."""
    requirements: list[str] = field(default_factory=lambda: list(DEFAULT_REQUIREMENT_FILES))
    """Requirements files whose `==` pins are audited (as in `dependencies`)."""
    ignore: list[AdvisoryIgnore] = field(default_factory=list)
    """Accepted advisories: `{id = "CVE-...", reason = "...", expires = 2026-12-31}`."""

    def validate(self) -> None:
        if self.timeout_s <= 0 or self.cache_ttl_hours < 0 or self.advisory_db_max_age_days < 0:
            raise ValueError("timeout_s must be positive, cache_ttl_hours and max age not negative")


@dataclass
class _Audit:
    """One audit's outcome in a form the cache can hold."""

    advisories: dict[str, list[dict[str, Any]]]
    """`name==version` → advisories as dicts."""
    not_audited: dict[str, str]
    newest: str | None = None
    database: str = ""
    """What the offline database holds (`N record(s) (PyPI N)`), empty online."""


class VulnerabilitiesCheck(Check):
    id = "vulnerabilities"
    category = Category.SUPPLY_CHAIN
    severity = Severity.HIGH
    description = "No pinned dependency has a known vulnerability; every pin audited"
    Settings = VulnerabilitiesSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: VulnerabilitiesSettings = self.settings
        inventory = collect(ctx, settings.requirements)
        kind, reason = guess_kind(ctx, inventory, settings.kind)
        pinned, unpinnable = inventory.pins(settings.first_party)
        unresolved = inventory.unresolved(settings.first_party)
        installed: list[Pin] = []
        if kind == "library":
            runtime = [entry for entry in unresolved if entry.origin == "runtime"]
            installed, unresolved = installed_pins(runtime)
        pins = [pin for pin in pinned + installed if is_pep440(pin.version)]
        gaps, unaudited = self._gaps(kind, pinned, unpinnable, unresolved)
        if not pins and not gaps:
            raise CheckSkipped("no third-party dependency to audit")
        outcome = self._audit(ctx, pins) if pins else _Audit(advisories={}, not_audited={})
        result = self._findings(pins, outcome)
        if outcome.not_audited:
            raise CheckError(self._unaudited_message(outcome.not_audited, len(result.findings)))
        if pins:
            standalone = (ctx.rootdir / "readiness.toml").is_file()
            self._database_age(
                outcome, result, "readiness.toml" if standalone else "pyproject.toml"
            )
        result.findings += gaps
        result.metrics["not_audited"] = float(unaudited)
        result.summary = f"{kind} ({reason}); " + _summary(pins, outcome, result, unaudited)
        return result

    def _gaps(
        self,
        kind: Kind,
        pinned: list[Pin],
        unpinnable: list[Unpinnable],
        unresolved: list[Declared],
    ) -> tuple[list[Finding], int]:
        """`not-audited` findings for every requirement with no version an audit can look up,
        and how many requirements they name.

        What is deployed (an application's non-development requirements) gets one finding per
        requirement, each a blocker; the rest (development files, extras, groups, a library's
        runtime set) one medium finding per file naming the packages, to keep the noise down.
        """
        gaps: list[tuple[str, str, str, int, bool]] = [
            (pin.name, f"=={pin.version} is not a PEP 440 version", pin.path, pin.line, False)
            for pin in pinned
            if not is_pep440(pin.version)
        ]
        gaps += [
            (item.name, f"comes from {item.reference}, with no version to look up", item.path,
             item.line, False)
            for item in unpinnable
        ]  # fmt: skip
        problem = (
            "is not installed in the test environment"
            if kind == "library"
            else "is not resolved to one version by any lock or `==` pin"
        )
        gaps += [
            (entry.name, f"{entry.text!r} {problem}", entry.path, entry.line, development(entry))
            for entry in unresolved
            if kind == "application" or entry.origin == "runtime"
        ]
        findings = []
        minor: dict[str, list[tuple[str, int]]] = {}
        for name, why, path, line, dev in gaps:
            if kind == "application" and not dev:
                findings.append(self._not_audited(name, why, path, line))
            else:
                minor.setdefault(path, []).append((name, line))
        for path, items in minor.items():
            names = sorted({name for name, _ in items})
            findings.append(
                self.finding(
                    "not-audited",
                    f"{len(names)} requirement(s) in {path} could not be audited (no exact "
                    f"version{' installed here' if kind == 'library' else ''}): "
                    + ", ".join(names),
                    severity=Severity.MEDIUM,
                    path=path,
                    line=min(line for _, line in items),
                    fix=_NOT_AUDITED_FIX,
                    key=path,
                )
            )
        return findings, len(gaps)

    def _not_audited(self, name: str, problem: str, path: str, line: int) -> Finding:
        return self.finding(
            "not-audited",
            f"{name} could not be audited: {problem}",
            path=path,
            line=line,
            fix=_NOT_AUDITED_FIX,
            key=name,
        )

    def _audit(self, ctx: CheckContext, pins: list[Pin]) -> _Audit:
        settings: VulnerabilitiesSettings = self.settings
        database = self._database_path(ctx)
        source = (
            f"db:{database_fingerprint(database)}"
            if database
            else f"{settings.service}:{settings.osv_url}"
        )
        key = content_key(source, *(f"{pin.name}=={pin.version}" for pin in pins))
        ttl = settings.cache_ttl_hours * 3600
        cached = _cached(ctx.cache.get(CACHE_NAMESPACE, key), ttl)
        if cached is not None:
            return cached
        if database is not None:
            outcome = self._offline(load_database(database, ctx.rootdir), pins)
        else:
            outcome = self._online(ctx, pins)
        if not outcome.not_audited and ttl > 0:
            ctx.cache.put(CACHE_NAMESPACE, key, {"time": time.time(), "audit": asdict(outcome)})
        return outcome

    def _database_path(self, ctx: CheckContext) -> Path | None:
        settings: VulnerabilitiesSettings = self.settings
        if not settings.advisory_db:
            return None
        path = (ctx.rootdir / settings.advisory_db).resolve()
        if not path.exists():
            raise CheckError(f"advisory_db {settings.advisory_db} does not exist")
        return path

    @staticmethod
    def _offline(database: AdvisoryDatabase, pins: list[Pin]) -> _Audit:
        outcome = _Audit(advisories={}, not_audited={})
        for pin in pins:
            label = f"{pin.name}=={pin.version}"
            try:
                found = database.match(pin.name, pin.version)
            except Unmatchable as error:
                outcome.not_audited[label] = str(error)
                continue
            outcome.advisories[label] = [_to_dict(advisory) for advisory in found]
        outcome.newest = database.newest.isoformat() if database.newest else None
        outcome.database = database.describe()
        return outcome

    def _online(self, ctx: CheckContext, pins: list[Pin]) -> _Audit:
        settings: VulnerabilitiesSettings = self.settings
        request = AuditRequest(
            service=settings.service,
            osv_url=settings.osv_url,
            timeout_s=settings.timeout_s,
            cache_dir=None if ctx.cache.directory is None else ctx.cache.directory / "pip-audit",
        )
        result = audit([(pin.name, pin.version) for pin in pins], request)
        advisories = {
            label: [_to_dict(advisory) for advisory in found]
            for label, found in result.advisories.items()
        }
        return _Audit(advisories=advisories, not_audited=dict(result.not_audited))

    def _findings(self, pins: list[Pin], outcome: _Audit) -> CheckResult:
        settings: VulnerabilitiesSettings = self.settings
        today = datetime.date.today()
        result = CheckResult(metrics={"packages_audited": float(len(outcome.advisories))})
        ignored = 0
        for pin in pins:
            for raw in outcome.advisories.get(f"{pin.name}=={pin.version}", []):
                advisory = _from_dict(raw)
                ids = {advisory.id, *advisory.aliases}
                rule = next((item for item in settings.ignore if item.id in ids), None)
                if rule is not None and rule.expires >= today:
                    ignored += 1
                    continue
                result.findings.append(self._vulnerable(pin, advisory))
                if rule is not None:
                    result.findings.append(self._expired(pin, rule))
        vulnerable = len([f for f in result.findings if f.rule == "known-vulnerability"])
        result.metrics.update(vulnerabilities=float(vulnerable), ignored=float(ignored))
        result.summary = (
            f"{len(outcome.advisories)} pinned package(s) audited, "
            f"{vulnerable} known vulnerability(ies), {ignored} ignored"
        )
        return result

    def _vulnerable(self, pin: Pin, advisory: Advisory) -> Finding:
        aliases = f" ({', '.join(advisory.aliases)})" if advisory.aliases else ""
        fixed = ", ".join(advisory.fixed) or "no fixed release yet"
        upgrade = _first_fix_above(pin.version, advisory.fixed)
        return self.finding(
            "known-vulnerability",
            f"{pin.name} {pin.version}: {advisory.id}{aliases}: {advisory.summary or 'advisory'}; "
            f"fixed in {fixed}",
            severity=advisory.severity,
            path=pin.path,
            line=pin.line,
            fix=f"upgrade {pin.name} to {upgrade} and re-lock"
            if upgrade
            else f"remove or replace {pin.name}, or ignore {advisory.id} with a reason and expiry",
            key=f"{pin.name}:{advisory.id}",
        )

    def _expired(self, pin: Pin, rule: AdvisoryIgnore) -> Finding:
        return self.finding(
            "expired-ignore",
            f"the ignore of {rule.id} for {pin.name} expired on {rule.expires} ({rule.reason})",
            path="pyproject.toml",
            fix="upgrade the package, or extend `expires` with a fresh reason",
            key=rule.id,
        )

    def _database_age(self, outcome: _Audit, result: CheckResult, settings_file: str) -> None:
        """An old database misses new advisories: past the limit it cannot vouch for the pins."""
        settings: VulnerabilitiesSettings = self.settings
        if not settings.advisory_db:
            return
        now = datetime.datetime.now(datetime.UTC)
        newest = datetime.datetime.fromisoformat(outcome.newest) if outcome.newest else None
        age = (now - newest).total_seconds() / 86400 if newest else None
        if age is not None:
            result.metrics["advisory_db_age_days"] = round(max(age, 0.0), 2)
        limit = settings.advisory_db_max_age_days
        refresh = f"refresh it: `{UPDATE_COMMAND} {settings.advisory_db}`"
        if not limit:
            shown = f"{age:.0f} days old" if age is not None else "of unknown age"
            result.findings.append(
                self.finding(
                    "advisory-age-unchecked",
                    f"the age check of advisory database {settings.advisory_db} is off "
                    f"(advisory_db_max_age_days = 0); it is {shown}, so advisories published "
                    "since are not seen",
                    severity=Severity.MEDIUM,
                    path=settings_file,
                    fix=f"{refresh} in CI and keep `advisory_db_max_age_days` at 7",
                    key=settings.advisory_db,
                )
            )
            return
        if newest is None or age is None:
            raise CheckError(
                f"advisory database {settings.advisory_db} has no record with a `modified` "
                f"time, so its age is unknown; {refresh}"
            )
        if age > limit:
            found = len(result.findings)
            among = f"; {found} finding(s) among the audited ones" if found else ""
            raise CheckError(
                f"advisory database {settings.advisory_db} is {age:.0f} days old (newest record "
                f"modified {newest.date().isoformat()}, limit {limit} days); {refresh}{among}"
            )

    @staticmethod
    def _unaudited_message(not_audited: dict[str, str], vulnerable: int) -> str:
        items = sorted(not_audited.items())
        shown = "; ".join(f"{label}: {reason}" for label, reason in items[:_SHOWN_UNAUDITED])
        more = (
            f" (and {len(items) - _SHOWN_UNAUDITED} more)" if len(items) > _SHOWN_UNAUDITED else ""
        )
        found = f"; {vulnerable} finding(s) among the audited ones" if vulnerable else ""
        return f"{len(items)} pinned package(s) could not be audited: {shown}{more}{found}"


def _summary(pins: list[Pin], outcome: _Audit, result: CheckResult, unaudited: int) -> str:
    """What was audited, from where, and what was found: the library case says it used the
    test environment."""
    audited = len(outcome.advisories)
    from_environment = len([pin for pin in pins if pin.installed])
    what = (
        f"{audited - from_environment} pinned + {from_environment} installed in the test "
        "environment (declared runtime dependencies, no lock)"
        if from_environment
        else f"{audited} pinned"
    )
    source = f"offline database: {outcome.database}" if outcome.database else "pip-audit"
    return (
        f"{what} package(s) audited ({source}), "
        f"{int(result.metrics['vulnerabilities'])} known vulnerability(ies), "
        f"{int(result.metrics['ignored'])} ignored, {unaudited} not audited"
    )


def _cached(entry: Any, ttl: float) -> _Audit | None:
    """A cache entry younger than `ttl` seconds, None when absent, stale or not ours."""
    try:
        if time.time() - float(entry["time"]) >= ttl:
            return None
        return _Audit(**entry["audit"])
    except (TypeError, KeyError, ValueError):
        return None


def _to_dict(advisory: Advisory) -> dict[str, Any]:
    data = asdict(advisory)
    data["severity"] = advisory.severity.value if advisory.severity else None
    return data


def _from_dict(data: dict[str, Any]) -> Advisory:
    severity = data.get("severity")
    return Advisory(
        id=data["id"],
        aliases=tuple(data.get("aliases", ())),
        summary=data.get("summary", ""),
        fixed=tuple(data.get("fixed", ())),
        severity=Severity(severity) if severity else None,
    )


def _first_fix_above(version: str, fixed: tuple[str, ...]) -> str | None:
    try:
        current = Version(version)
        candidates = sorted(Version(item) for item in fixed if Version(item) > current)
    except InvalidVersion:
        return None
    return str(candidates[0]) if candidates else None
