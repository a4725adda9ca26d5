"""The inventory: which files are read, and the pinned set the audit gets."""

from __future__ import annotations

import textwrap
from pathlib import Path

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext
from pytest_readiness.checks.supply_chain.inventory import (
    DEFAULT_REQUIREMENT_FILES,
    Pin,
    Unpinnable,
    collect,
)
from pytest_readiness.files import ProjectFiles

H = "sha256:" + "ab" * 32


def project(tmp_path: Path, files: dict[str, str]) -> CheckContext:
    root = tmp_path / "project"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")
    return CheckContext(rootdir=root, files=ProjectFiles(root), cache=ContentCache(None))


FILES = {
    "pyproject.toml": """\
        [project]
        name = "shop"
        version = "1.0"
        dependencies = ["requests>=2", "six==1.16.0", "shop-plugins @ git+https://github.com/a/p@main"]
        """,
    "uv.lock": f"""\
        version = 1

        [[package]]
        name = "requests"
        version = "2.32.3"
        source = {{ registry = "https://index.example.invalid/simple" }}
        sdist = {{ url = "https://x/requests.tar.gz", hash = "{H}" }}

        [[package]]
        name = "shop"
        version = "1.0"
        source = {{ editable = "." }}

        [[package]]
        name = "nover"
        source = {{ git = "https://github.com/a/nover" }}
        """,
    "requirements-dev.txt": "requests==2.32.3\npytest==8.3.3\n-e ./plugins/own\n"
    "https://x.org/tool-2.0-py3-none-any.whl\n",
    "requirements/docs.txt": "sphinx==8.1.0\n",
    "tests/fixtures/requirements.txt": "this is not read ==\n",
    "sub/uv.lock": "not a lock that is read",
}


def test_collect_reads_root_locks_and_matching_requirement_files(tmp_path: Path) -> None:
    inventory = collect(project(tmp_path, FILES), DEFAULT_REQUIREMENT_FILES)
    assert inventory.lock_files == ["uv.lock"]
    assert inventory.requirement_files == ["requirements-dev.txt", "requirements/docs.txt"]
    assert inventory.project_name == "shop"
    assert [entry.name for entry in inventory.locked] == ["requests", "shop", "nover"]


def test_pins_are_unique_and_leave_out_first_party(tmp_path: Path) -> None:
    inventory = collect(project(tmp_path, FILES), DEFAULT_REQUIREMENT_FILES)
    pins, unpinnable = inventory.pins(first_party=["Sphinx"])
    assert pins == [
        Pin("pytest", "8.3.3", "requirements-dev.txt", 2),
        Pin("requests", "2.32.3", "uv.lock", 3),
        Pin("six", "1.16.0", "pyproject.toml", 4),
        Pin("tool", "2.0", "requirements-dev.txt", 4),
    ]
    assert unpinnable == [
        Unpinnable("nover", "vcs", "uv.lock", 14),
        Unpinnable("shop-plugins", "git+https://github.com/a/p@main", "pyproject.toml", 4),
    ]
    assert inventory.first_party() == {"shop"}


def test_an_empty_project_has_an_empty_inventory(tmp_path: Path) -> None:
    inventory = collect(project(tmp_path, {"README.md": "# x\n"}), DEFAULT_REQUIREMENT_FILES)
    assert (inventory.project, inventory.declared, inventory.locked) == (None, [], [])
    assert inventory.pins() == ([], [])
