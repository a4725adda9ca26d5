"""`vulnerabilities`: no pinned dependency has a known advisory, and every pin was really audited.

The pinned set comes from the inventory (locks and requirements, all markers, includes
followed), not from the running environment. It is audited either offline against an OSV
database the project points at, or online with pip-audit. Fail closed: a pin that could not
be audited, for whatever reason, makes the check an error that names it.
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
from pytest_readiness.checks.supply_chain.inventory import DEFAULT_REQUIREMENT_FILES, Pin, collect
from pytest_readiness.checks.supply_chain.osv import (
    Advisory,
    AdvisoryDatabase,
    Unmatchable,
    database_fingerprint,
    load_database,
)
from pytest_readiness.checks.supply_chain.pipaudit import AuditRequest, audit
from pytest_readiness.model import Category, CheckResult, Finding, Severity

CACHE_NAMESPACE = "vulnerabilities-v1"
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
    """Offline OSV database (JSON directory, zip, osv-scanner cache); empty: audit online."""
    advisory_db_max_age_days: int = 7
    """A finding when the newest record is older than this; 0 turns the age check off."""
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


class VulnerabilitiesCheck(Check):
    id = "vulnerabilities"
    category = Category.SUPPLY_CHAIN
    severity = Severity.HIGH
    description = "No pinned dependency has a known vulnerability; every pin audited"
    Settings = VulnerabilitiesSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: VulnerabilitiesSettings = self.settings
        inventory = collect(ctx, settings.requirements)
        pins, unpinnable = inventory.pins(settings.first_party)
        own = inventory.first_party(settings.first_party)
        third_party = [
            entry for entry in inventory.declared if entry.name and entry.name not in own
        ]
        if not pins and not unpinnable:
            if third_party:
                raise CheckError(
                    f"{len(third_party)} declared dependencies but no exact version to audit: "
                    "lock them (`uv lock`, `pip-compile`) so the audited set is the installed one"
                )
            raise CheckSkipped("no third-party dependency declared or locked")
        outcome = self._audit(ctx, pins)
        not_audited = dict(outcome.not_audited)
        for item in unpinnable:
            not_audited[f"{item.name} ({item.path}:{item.line})"] = (
                f"no version to audit ({item.reference}); list it in `first_party` if it is yours"
            )
        result = self._findings(pins, outcome)
        if not_audited:
            raise CheckError(self._unaudited_message(not_audited, len(result.findings)))
        self._database_age(outcome, result)
        return result

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

    def _database_age(self, outcome: _Audit, result: CheckResult) -> None:
        settings: VulnerabilitiesSettings = self.settings
        if not settings.advisory_db:
            return
        now = datetime.datetime.now(datetime.UTC)
        newest = datetime.datetime.fromisoformat(outcome.newest) if outcome.newest else None
        age = (now - newest).total_seconds() / 86400 if newest else None
        if age is not None:
            result.metrics["advisory_db_age_days"] = round(max(age, 0.0), 2)
        limit = settings.advisory_db_max_age_days
        if limit and (age is None or age > limit):
            shown = "unknown (no `modified` times)" if age is None else f"{age:.0f} days"
            result.findings.append(
                self.finding(
                    "stale-advisory-db",
                    f"advisory database {settings.advisory_db} is {shown} old (limit {limit})",
                    severity=Severity.MEDIUM,
                    fix="refresh it in CI from OSV's export "
                    "(https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip)",
                    key=settings.advisory_db,
                )
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
