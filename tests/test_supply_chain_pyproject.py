"""pyproject.toml declarations: runtime, extras, dependency groups, and what is malformed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_readiness.check import CheckError
from pytest_readiness.checks.supply_chain.pyproject import read_pyproject

PYPROJECT = """\
[build-system]
requires = ["setuptools>=69"]

[project]
name = "Sample_App"
version = "1.0"
dependencies = [
    "requests>=2.32",
    'tomli>=2; python_version < "3.11"',
]

[project.optional-dependencies]
server = ["gunicorn==23.0.0"]

[dependency-groups]
test = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff==0.8.0"]
"""


def write(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(text), "utf-8")


def test_every_declaration_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, PYPROJECT)
    declaration = read_pyproject(tmp_path)
    assert declaration is not None
    assert (declaration.name, declaration.has_project_table, declaration.has_build_system) == (
        "Sample_App",
        True,
        True,
    )
    rows = [(e.line, e.origin, e.group, e.name, e.version) for e in declaration.entries]
    assert rows == [
        (8, "runtime", "", "requests", None),
        (9, "runtime", "", "tomli", None),
        (13, "optional", "server", "gunicorn", "23.0.0"),
        (16, "group", "test", "pytest", None),
        (17, "group", "lint", "ruff", "0.8.0"),
    ]


def test_no_pyproject_and_no_project_table(tmp_path: Path) -> None:
    assert read_pyproject(tmp_path) is None
    write(tmp_path, "[tool.black]\nline-length = 100\n")
    declaration = read_pyproject(tmp_path)
    assert declaration is not None
    assert (declaration.has_project_table, declaration.entries) == (False, [])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[project\nname = 'x'\n", "pyproject.toml:1: invalid TOML"),
        ("[project]\nname = 'x'\ndependencies = [\n  'ok',\n  'bad>=>1',\n]\n",
         "pyproject.toml:5: invalid requirement 'bad>=>1'"),
        ("[project]\ndependencies = 'requests'\n",
         "pyproject.toml:1: `project.dependencies` must be a list"),
        ("[project]\ndependencies = [1]\n", "pyproject.toml:1: `project.dependencies` holds 1"),
        ("[project]\noptional-dependencies = []\n",
         "pyproject.toml:1: `project.optional-dependencies` must be a table"),
        ("[dependency-groups]\ntest = 'pytest'\n",
         "pyproject.toml:1: `dependency-groups.test` must be a list"),
        ("[dependency-groups]\ntest = [{include = 'x'}]\n",
         "pyproject.toml:1: `dependency-groups.test` must be strings or {include-group"),
    ],
)  # fmt: skip
def test_malformed_declarations_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, text)
    with pytest.raises(CheckError) as caught:
        read_pyproject(tmp_path)
    assert str(caught.value).startswith(message)


def test_undecodable_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[project]\nname = '\xff'\n")
    with pytest.raises(CheckError, match=r"^pyproject\.toml: not UTF-8"):
        read_pyproject(tmp_path)
