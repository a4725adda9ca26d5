"""Read the lock files Python projects commit: uv, Poetry, Pipenv, PDM and PEP 751 `pylock.toml`.

Each reader turns its format into `Locked` entries: name, version, where the artifact comes
from (registry, VCS, URL, local path) and whether the lock records artifact hashes. A file that
does not parse, or a package entry without a name, is an error naming the file and line.
"""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from pytest_readiness.checks.supply_chain.entries import Locked, Source, bad_file, toml_error_line
from pytest_readiness.reading import read_text

LOCK_FILES = ("uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock", "pylock.toml", "pylock.*.toml")
PYPROJECT_LOCKS = frozenset({"uv.lock", "poetry.lock", "pdm.lock"})
"""Formats always resolved from pyproject.toml; a PEP 751 lock must say so itself."""
_PYLOCK_HEADER = re.compile(r"^\s*#.*\bpyproject\.toml\b")


@dataclass(frozen=True)
class LockScope:
    """What a lock was made from, so it is compared only with what it resolved."""

    from_pyproject: bool
    groups: frozenset[str] | None = None
    """pdm's `metadata.groups` (`default` is the runtime set); None: every group."""

    def covers(self, group: str) -> bool:
        return self.from_pyproject and (self.groups is None or group in self.groups)


def lock_format(name: str) -> str | None:
    """The format of a file by its name (`pylock` for every PEP 751 file), or None."""
    for pattern in LOCK_FILES:
        if fnmatch.fnmatchcase(name, pattern):
            return "pylock" if name.startswith("pylock") else name
    return None


def read_lock(path: Path, shown: str) -> list[Locked]:
    """The packages `path` locks; `shown` is how findings and errors name the file."""
    kind = lock_format(path.name)
    if kind is None:
        raise bad_file(shown, None, "not a known lock file name")
    try:
        text = read_text(path)
    except UnicodeDecodeError as error:
        raise bad_file(shown, None, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise bad_file(shown, None, f"cannot be read: {error.strerror}") from None
    if kind == "Pipfile.lock":
        return _pipfile(text, shown)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise bad_file(shown, toml_error_line(error), f"invalid TOML: {error}") from None
    reader = _TOML_READERS[kind]
    table = "packages" if kind == "pylock" else "package"
    packages = data.get(table, [])
    if not isinstance(packages, list) or not all(isinstance(item, dict) for item in packages):
        raise bad_file(shown, None, f"`{table}` must be an array of tables")
    if kind == "pylock" and "lock-version" not in data:
        raise bad_file(shown, 1, "no `lock-version`: not a PEP 751 lock file")
    lines = _header_lines(text, table, len(packages))
    found = []
    for package, line in zip(packages, lines, strict=True):
        name, version = _name_and_version(
            package, shown, line, version_required=kind in ("poetry.lock", "pdm.lock")
        )
        source, hashed = reader(package, data, name)
        found.append(
            Locked(
                name=canonicalize_name(name),
                version=version,
                path=shown,
                line=line,
                source=source,
                hashed=hashed,
            )
        )
    return found


def lock_scope(path: Path, project_name: str | None) -> LockScope:
    """Whether `path` was resolved from pyproject.toml, read from the lock itself.

    uv, Poetry and pdm only lock a pyproject.toml; pdm records the groups it locked. A PEP 751
    file may come from anything (pipenv writes one from its Pipfile), so it counts only when
    it holds the project itself (a `directory` package or the project's name) or its header
    comment names pyproject.toml, as `uv pip compile` writes it.
    """
    kind = lock_format(path.name)
    if kind is None or kind == "Pipfile.lock":
        return LockScope(from_pyproject=False)
    try:
        text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return LockScope(from_pyproject=False)
    if kind == "pdm.lock":
        groups = data.get("metadata", {}).get("groups")
        if isinstance(groups, list) and all(isinstance(item, str) for item in groups):
            return LockScope(from_pyproject=True, groups=frozenset(groups))
    if kind != "pylock":
        return LockScope(from_pyproject=True)
    header = text.split("[[packages]]", 1)[0].splitlines()
    packages = data.get("packages")
    own = any(
        isinstance(item, dict)
        and ("directory" in item or canonicalize_name(str(item.get("name", ""))) == project_name)
        for item in (packages if isinstance(packages, list) else [])
    )
    return LockScope(from_pyproject=own or any(_PYLOCK_HEADER.match(line) for line in header))


def _header_lines(text: str, table: str, count: int) -> list[int]:
    """The line of each `[[table]]` header, in order: where each package entry starts."""
    header = re.compile(rf"^\s*\[\[\s*{table}\s*\]\]\s*(#.*)?$")
    lines = [number for number, line in enumerate(text.splitlines(), 1) if header.match(line)]
    return lines if len(lines) == count else [1] * count


def _name_and_version(
    package: dict[str, Any], shown: str, line: int, *, version_required: bool
) -> tuple[str, str | None]:
    name = package.get("name")
    if not isinstance(name, str) or not name:
        raise bad_file(shown, line, "package entry without a `name`")
    version = package.get("version")
    if version is None and not version_required:
        return name, None
    if not isinstance(version, str) or not version:
        raise bad_file(shown, line, f"package {name!r} has no `version` string")
    return name, version


def _has_hash(artifacts: object, key: str = "hash") -> bool:
    if isinstance(artifacts, dict):
        artifacts = [artifacts]
    if not isinstance(artifacts, list) or not artifacts:
        return False
    return all(isinstance(item, dict) and bool(item.get(key)) for item in artifacts)


def _uv(package: dict[str, Any], data: dict[str, Any], name: str) -> tuple[Source, bool]:
    source = package.get("source", {})
    if not isinstance(source, dict):
        source = {}
    if source.keys() & {"editable", "virtual", "directory", "path"}:
        return "local", True
    if "git" in source:
        return "vcs", "#" in str(source["git"])
    hashed = _has_hash(package.get("sdist")) or _has_hash(package.get("wheels"))
    return ("url" if "url" in source else "registry"), hashed


def _poetry(package: dict[str, Any], data: dict[str, Any], name: str) -> tuple[Source, bool]:
    source = package.get("source", {})
    kind = source.get("type") if isinstance(source, dict) else None
    if kind in ("directory", "file"):
        return "local", True
    if kind == "git":
        return "vcs", bool(source.get("resolved_reference"))
    files = package.get("files")
    if files is None:
        legacy = data.get("metadata", {}).get("files", {})
        files = legacy.get(name) if isinstance(legacy, dict) else None
    return ("url" if kind == "url" else "registry"), _has_hash(files)


def _pdm(package: dict[str, Any], data: dict[str, Any], name: str) -> tuple[Source, bool]:
    if "path" in package or package.get("editable"):
        return "local", True
    if "git" in package:
        return "vcs", bool(package.get("revision"))
    return ("url" if "url" in package else "registry"), _has_hash(package.get("files"))


def _pylock(package: dict[str, Any], data: dict[str, Any], name: str) -> tuple[Source, bool]:
    if "directory" in package:
        return "local", True
    vcs = package.get("vcs")
    if isinstance(vcs, dict):
        return "vcs", bool(vcs.get("commit-id"))
    archive = package.get("archive")
    if isinstance(archive, dict):
        return "url", _has_hash(archive, "hashes")
    hashed = _has_hash(package.get("sdist"), "hashes") or _has_hash(package.get("wheels"), "hashes")
    return "registry", hashed


_TOML_READERS: dict[str, Callable[[dict[str, Any], dict[str, Any], str], tuple[Source, bool]]] = {
    "uv.lock": _uv,
    "poetry.lock": _poetry,
    "pdm.lock": _pdm,
    "pylock": _pylock,
}


def _pipfile(text: str, shown: str) -> list[Locked]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise bad_file(shown, error.lineno, f"invalid JSON: {error.msg}") from None
    if not isinstance(data, dict) or "_meta" not in data:
        raise bad_file(shown, 1, "no `_meta` object: not a Pipfile.lock")
    found = []
    lines = text.splitlines()
    for section in ("default", "develop"):
        packages = data.get(section, {})
        start = _line_of(lines, f'"{section}"', 1)
        if not isinstance(packages, dict):
            raise bad_file(shown, start, f"`{section}` must be an object")
        for name, entry in packages.items():
            line = _line_of(lines, f'"{name}"', start)
            if not isinstance(entry, dict):
                raise bad_file(shown, line, f"package {name!r} must be an object")
            found.append(_pipfile_entry(name, entry, shown, line))
    return found


def _pipfile_entry(name: str, entry: dict[str, Any], shown: str, line: int) -> Locked:
    if "path" in entry or str(entry.get("file", "")).startswith((".", "/", "file:")):
        source: Source = "local"
        hashed = True
    elif "git" in entry:
        source, hashed = "vcs", bool(entry.get("ref"))
    else:
        source = "url" if "file" in entry else "registry"
        hashed = bool(entry.get("hashes"))
    version = entry.get("version")
    if version is not None:
        if not isinstance(version, str) or not version.startswith("=="):
            raise bad_file(shown, line, f"package {name!r} has version {version!r}, not `==X`")
        version = version[2:]
    elif source == "registry":
        raise bad_file(shown, line, f"package {name!r} has no `version`")
    return Locked(
        name=canonicalize_name(name),
        version=version,
        path=shown,
        line=line,
        source=source,
        hashed=hashed,
    )


def _line_of(lines: list[str], needle: str, start: int) -> int:
    for number in range(start, len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return start
