"""An offline OSV advisory database and the OSV schema's matching rules, applied with `packaging`.

For air-gapped CI: a directory of OSV records (JSON, or the YAML of pypa/advisory-database;
github/advisory-database's tree of JSON works as it is), a zip of them (OSV's own export,
`PyPI/all.zip`), or osv-scanner's offline cache directory (`osv-scanner/PyPI/all.zip`, or
`osv-scalibr/PyPI/all.zip` in later versions). The database must prove itself: records are
counted per ecosystem and one with nothing for PyPI is an error, as is any record file that
cannot be read. Matching follows the evaluation in the OSV schema: withdrawn records are
skipped, names compared canonically, the `versions` list checked, and ECOSYSTEM ranges walked
in version order (`introduced`, `fixed`, `last_affected`). A version that cannot be compared is
`Unmatchable`, never clean.
"""

from __future__ import annotations

import datetime
import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
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
try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

_RECORD_SUFFIXES = (".json", ".yaml", ".yml")
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
    ecosystems: Counter[str] = field(default_factory=Counter)
    """Records per ecosystem (a record naming two ecosystems counts in both)."""
    newest: datetime.datetime | None = None
    """The latest `modified` time in the records: how current the database is."""

    def describe(self) -> str:
        """`17342 records (PyPI 17342)`: what was found, for summaries and errors."""
        counts = ", ".join(f"{name} {count}" for name, count in sorted(self.ecosystems.items()))
        return f"{self.records} record(s)" + (f" ({counts})" if counts else "")

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

    A database without a single PyPI record is an error that says what it does hold: an
    empty folder or another ecosystem's export would otherwise pass every audit. Errors name
    files relative to `root`, like findings do.
    """
    database = AdvisoryDatabase()
    for origin, text in _documents(path, root):
        _add(database, _parse(origin, text), origin)
    if not database.ecosystems[ECOSYSTEM]:
        found = database.describe() if database.records else "no advisory records"
        raise CheckError(
            f"advisory database {display_path(root, path)} holds no {ECOSYSTEM} records "
            f"(found {found}): point `advisory_db` at OSV's {ECOSYSTEM} export"
        )
    return database


def _parse(origin: str, text: str) -> object:
    if origin.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise bad_file(origin, error.lineno, f"invalid JSON: {error.msg}") from None
    loader = _StringLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise bad_file(origin, line, f"invalid YAML: {getattr(error, 'problem', error)}") from None
    finally:
        loader.dispose()


class _StringLoader(_SafeLoader):
    """SafeLoader without implicit types: `fixed: 1.10` stays the version "1.10", not 1.1.

    On libyaml's CSafeLoader when PyYAML has it: ten times faster on a pypa clone's records.
    """

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - emptied on purpose


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
        return sorted(
            file
            for file in path.rglob("*")
            if file.suffix in (*_RECORD_SUFFIXES, ".zip")
            and not any(part.startswith(".") for part in file.relative_to(path).parts)
            and file.is_file()
        )
    raise CheckError(f"advisory database {path} does not exist")


def _documents(path: Path, root: Path) -> Iterator[tuple[str, str]]:
    for file in _files(path):
        shown = display_path(root, file)
        if file.suffix != ".zip":
            try:
                data = file.read_bytes()
            except OSError as error:
                raise bad_file(shown, None, f"cannot be read: {error.strerror}") from None
            yield shown, _text(data, shown)
            continue
        try:
            with zipfile.ZipFile(file) as archive:
                for member in archive.namelist():
                    if member.endswith(_RECORD_SUFFIXES):
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
    database.ecosystems.update(_ecosystems(record))
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


def _ecosystems(record: dict[str, Any]) -> set[str]:
    """The ecosystems a record names, without their release suffix (`Debian:12` is Debian)."""
    affected = record.get("affected")
    if not isinstance(affected, list):
        return set()
    return {
        str(item["package"].get("ecosystem", "")).split(":")[0] or "unknown"
        for item in affected
        if isinstance(item, dict) and isinstance(item.get("package"), dict)
    }


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
