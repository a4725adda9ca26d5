"""What `pyproject.toml` declares: runtime dependencies, extras and PEP 735 dependency groups.

tomllib gives no line numbers, so each requirement string is looked up in the text after its
table's header; that is where a finding about it should point.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from pytest_readiness.checks.supply_chain.entries import (
    Declared,
    Origin,
    bad_file,
    toml_error_line,
)
from pytest_readiness.reading import read_text

PYPROJECT = "pyproject.toml"


@dataclass
class ProjectDeclaration:
    """The dependency declarations of one pyproject.toml."""

    name: str | None = None
    has_project_table: bool = False
    has_build_system: bool = False
    entries: list[Declared] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def read_pyproject(root: Path) -> ProjectDeclaration | None:
    """The declarations of `root/pyproject.toml`, None when there is no such file."""
    path = root / PYPROJECT
    if not path.is_file():
        return None
    try:
        text = read_text(path)
        data = tomllib.loads(text)
    except UnicodeDecodeError as error:
        raise bad_file(PYPROJECT, None, f"not UTF-8 text ({error.reason})") from None
    except tomllib.TOMLDecodeError as error:
        raise bad_file(PYPROJECT, toml_error_line(error), f"invalid TOML: {error}") from None
    except OSError as error:
        raise bad_file(PYPROJECT, None, f"cannot be read: {error.strerror}") from None
    lines = _Lines(text)
    declaration = ProjectDeclaration(data=data, has_build_system="build-system" in data)
    project = data.get("project")
    if isinstance(project, dict):
        declaration.has_project_table = True
        name = project.get("name")
        declaration.name = name if isinstance(name, str) else None
        header = lines.header("project")
        declaration.entries += _strings(
            project.get("dependencies", []), "project.dependencies", "runtime", "", lines, header
        )
        extras = project.get("optional-dependencies", {})
        _expect(isinstance(extras, dict), "project.optional-dependencies", "a table", lines)
        header = lines.header("project.optional-dependencies") or header
        for extra, items in extras.items():
            key = f"project.optional-dependencies.{extra}"
            declaration.entries += _strings(items, key, "optional", extra, lines, header)
    groups = data.get("dependency-groups", {})
    _expect(isinstance(groups, dict), "dependency-groups", "a table", lines)
    header = lines.header("dependency-groups")
    for group, items in groups.items():
        _expect(isinstance(items, list), f"dependency-groups.{group}", "a list", lines)
        strings = [item for item in items if not _is_include(item, group, lines)]
        declaration.entries += _strings(
            strings, f"dependency-groups.{group}", "group", group, lines, header
        )
    return declaration


class _Lines:
    """Line lookups in the raw text, for pointing at requirement strings."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def header(self, table: str) -> int:
        for number, line in enumerate(self.lines, start=1):
            if line.strip().replace(" ", "") == f"[{table}]":
                return number
        return 1

    def find(self, literal: str, start: int) -> int:
        for quote in ('"', "'"):
            needle = f"{quote}{literal}{quote}"
            for number in range(start, len(self.lines) + 1):
                if needle in self.lines[number - 1]:
                    return number
        return start


def _expect(condition: bool, key: str, wanted: str, lines: _Lines) -> None:
    if not condition:
        table = key.rpartition(".")[0] or key
        raise bad_file(PYPROJECT, lines.header(table), f"`{key}` must be {wanted}")


def _is_include(item: object, group: str, lines: _Lines) -> bool:
    if isinstance(item, dict):
        _expect(
            set(item) == {"include-group"} and isinstance(item["include-group"], str),
            f"dependency-groups.{group}",
            "strings or {include-group = NAME} tables",
            lines,
        )
        return True
    return False


def _strings(
    items: object, key: str, origin: Origin, group: str, lines: _Lines, start: int
) -> list[Declared]:
    _expect(isinstance(items, list), key, "a list of requirement strings", lines)
    assert isinstance(items, list)
    found = []
    for item in items:
        if not isinstance(item, str):
            raise bad_file(PYPROJECT, start, f"`{key}` holds {item!r}, not a requirement string")
        line = lines.find(item, start)
        try:
            requirement = Requirement(item)
        except InvalidRequirement as error:
            raise bad_file(PYPROJECT, line, f"invalid requirement {item!r}: {error}") from None
        found.append(
            Declared(
                text=item,
                path=PYPROJECT,
                line=line,
                origin=origin,
                requirement=requirement,
                group=group,
            )
        )
    return found
