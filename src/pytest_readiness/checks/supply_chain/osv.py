"""An offline OSV advisory database and the OSV schema's matching rules, applied with `packaging`.

For air-gapped CI: a directory of OSV JSON records, a zip of them (OSV's own export,
`PyPI/all.zip`), or osv-scanner's offline cache directory (`osv-scanner/PyPI/all.zip`, or
`osv-scalibr/PyPI/all.zip` in later versions). Matching follows the evaluation in the OSV
schema: withdrawn records are skipped, names compared canonically, the `versions` list
checked, and ECOSYSTEM ranges walked in version order (`introduced`, `fixed`,
`last_affected`). A version that cannot be compared is `Unmatchable`, never clean.
"""

from __future__ import annotations

import datetime
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pytest_readiness.cache import content_key
from pytest_readiness.check import CheckError
from pytest_readiness.checks.supply_chain.cvss import base_score, rating
from pytest_readiness.checks.supply_chain.entries import bad_file, display_path
from pytest_readiness.model import Severity

ECOSYSTEM = "PyPI"
_OFFLINE_LAYOUTS = ("", "osv-scanner", "osv-scalibr")
"""Where osv-scanner keeps `PyPI/all.zip` below its cache directory, by version."""
_EVENT_ORDER = {"introduced": 0, "fixed": 1, "last_affected": 2}
_SEVERITY_WORDS = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
}


class Unmatchable(Exception):
    """A version (pinned, or in a record's range) that PEP 440 cannot order."""


@dataclass(frozen=True)
class Advisory:
    """One advisory that affects one pinned package."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    fixed: tuple[str, ...]
    severity: Severity | None


@dataclass
class AdvisoryDatabase:
    by_package: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    records: int = 0
    newest: datetime.datetime | None = None
    """The latest `modified` time in the records: how current the database is."""

    def match(self, name: str, version: str) -> list[Advisory]:
        """The advisories affecting `name==version`; Unmatchable when that cannot be decided."""
        records = self.by_package.get(canonicalize_name(name), [])
        try:
            parsed = Version(version)
        except InvalidVersion:
            raise Unmatchable(f"{version!r} is not a PEP 440 version") from None
        found = []
        for record in records:
            affected = [entry for entry in record["affected"] if _is_package(entry, name)]
            hits = [entry for entry in affected if affects(entry, parsed, record["id"])]
            if hits:
                found.append(_advisory(record, hits))
        return found


def database_fingerprint(path: Path) -> str:
    """Names, sizes and modification times of the database files: changes when it is updated."""
    parts = [f"{file}:{file.stat().st_size}:{file.stat().st_mtime_ns}" for file in _files(path)]
    return content_key(str(path), *parts)


def load_database(path: Path, root: Path) -> AdvisoryDatabase:
    """Read every OSV record under `path` (a directory, a zip, or a directory with PyPI/all.zip).

    Errors name files relative to `root`, like findings do.
    """
    database = AdvisoryDatabase()
    for origin, text in _documents(path, root):
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise bad_file(origin, error.lineno, f"invalid JSON: {error.msg}") from None
        _add(database, record, origin)
    return database


def affects(affected: dict[str, Any], version: Version, record_id: str) -> bool:
    """Whether one `affected` entry covers `version`: listed explicitly or inside a range."""
    for listed in affected.get("versions", []):
        try:
            if Version(str(listed)) == version:
                return True
        except InvalidVersion:
            continue
    for range_ in affected.get("ranges", []):
        if range_.get("type") in ("ECOSYSTEM", "SEMVER") and in_range(
            range_.get("events", []), version, record_id
        ):
            return True
    return False


def in_range(events: list[dict[str, str]], version: Version, record_id: str) -> bool:
    """The OSV range walk: the last event at or below `version` decides."""
    ordered: list[tuple[Version | None, int, str]] = []
    for event in events:
        for kind, value in event.items():
            if kind not in _EVENT_ORDER:
                continue
            if kind == "introduced" and value == "0":
                ordered.append((None, 0, kind))
                continue
            try:
                ordered.append((Version(value), _EVENT_ORDER[kind], kind))
            except InvalidVersion:
                raise Unmatchable(f"advisory {record_id} has range version {value!r}") from None
    ordered.sort(key=lambda item: (item[0] is not None, item[0] or Version("0"), item[1]))
    vulnerable = False
    for bound, _, kind in ordered:
        if kind == "introduced":
            vulnerable = vulnerable or bound is None or version >= bound
        elif bound is not None and (version > bound or (kind == "fixed" and version == bound)):
            vulnerable = False
    return vulnerable


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    for layout in _OFFLINE_LAYOUTS:
        bundled = path / layout / ECOSYSTEM / "all.zip"
        if bundled.is_file():
            return [bundled]
    if path.is_dir():
        return sorted(file for file in path.rglob("*") if file.suffix in (".json", ".zip"))
    raise CheckError(f"advisory database {path} does not exist")


def _documents(path: Path, root: Path) -> Iterator[tuple[str, str]]:
    for file in _files(path):
        shown = display_path(root, file)
        if file.suffix != ".zip":
            yield shown, _text(file.read_bytes(), shown)
            continue
        try:
            with zipfile.ZipFile(file) as archive:
                for member in archive.namelist():
                    if member.endswith(".json"):
                        origin = f"{shown}!{member}"
                        yield origin, _text(archive.read(member), origin)
        except (zipfile.BadZipFile, OSError) as error:
            raise bad_file(shown, None, f"unreadable zip: {error}") from None


def _text(data: bytes, origin: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise bad_file(origin, None, f"not UTF-8 ({error.reason})") from None


def _add(database: AdvisoryDatabase, record: object, origin: str) -> None:
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise bad_file(origin, 1, "not an OSV record (no string `id`)")
    database.records += 1
    modified = record.get("modified")
    if modified is not None:
        try:
            when = datetime.datetime.fromisoformat(str(modified))
        except ValueError:
            raise bad_file(origin, 1, f"`modified` is not an RFC 3339 time: {modified!r}") from None
        when = when if when.tzinfo else when.replace(tzinfo=datetime.UTC)
        database.newest = max(database.newest or when, when)
    if record.get("withdrawn"):
        return
    affected = record.get("affected", [])
    if not isinstance(affected, list) or not all(isinstance(item, dict) for item in affected):
        raise bad_file(origin, 1, "`affected` must be a list of objects")
    names = {canonicalize_name(str(item["package"]["name"])) for item in affected if _is_pypi(item)}
    for name in names:
        database.by_package.setdefault(name, []).append(record)


def _is_pypi(affected: dict[str, Any]) -> bool:
    package = affected.get("package")
    return (
        isinstance(package, dict)
        and package.get("ecosystem") == ECOSYSTEM
        and isinstance(package.get("name"), str)
    )


def _is_package(affected: dict[str, Any], name: str) -> bool:
    return _is_pypi(affected) and canonicalize_name(affected["package"]["name"]) == (
        canonicalize_name(name)
    )


def _advisory(record: dict[str, Any], hits: list[dict[str, Any]]) -> Advisory:
    fixed = sorted(
        {
            event["fixed"]
            for entry in hits
            for range_ in entry.get("ranges", [])
            for event in range_.get("events", [])
            if "fixed" in event
        }
    )
    summary = str(record.get("summary") or record.get("details") or "").strip().splitlines()
    return Advisory(
        id=record["id"],
        aliases=tuple(str(alias) for alias in record.get("aliases", [])),
        summary=summary[0] if summary else "",
        fixed=tuple(fixed),
        severity=_severity(record, hits),
    )


def _severity(record: dict[str, Any], hits: list[dict[str, Any]]) -> Severity | None:
    """The record's severity word (GHSA's `database_specific.severity`), else its CVSS v3 rating."""
    tables = [record.get("database_specific")]
    tables += [
        entry.get(key) for entry in hits for key in ("ecosystem_specific", "database_specific")
    ]
    for table in tables:
        if isinstance(table, dict):
            word = str(table.get("severity", "")).upper()
            if word in _SEVERITY_WORDS:
                return _SEVERITY_WORDS[word]
    for entry in record.get("severity", []):
        if isinstance(entry, dict) and str(entry.get("type", "")).startswith("CVSS_V3"):
            score = base_score(str(entry.get("score", "")))
            if score is not None:
                return rating(score)
    return None
