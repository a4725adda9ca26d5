"""Listing the project's files: from git when there is one, by a safe walk otherwise."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from pytest_readiness.files import ProjectFiles, matches


@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("tests/test_a.py", ["tests"], True),
        ("pkg/tests/test_a.py", ["tests"], True),
        ("pkg/contests/a.py", ["tests"], False),
        ("docs/a.md", ["docs/*.md"], True),
        ("docs/sub/a.md", ["docs/*.md"], False),
        ("docs/a.mdx", ["docs/*.md"], False),
        ("a/b/c/d.py", ["a/**/d.py"], True),
        ("build/lib/x.py", ["build/**"], True),
        ("src/app.py", ["*.py"], True),
        ("src/app.py", [], False),
    ],
)
def test_matches(path: str, patterns: list[str], expected: bool) -> None:
    assert matches(path, patterns) is expected


def _tree(root: Path) -> None:
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print('x')\n")
    (root / ".venv" / "lib").mkdir(parents=True)
    (root / ".venv" / "lib" / "dep.py").write_text("x = 1\n")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "a.js").write_text("1\n")
    (root / "README.md").write_text("# x\n")


def test_walk_skips_environments_and_symlink_loops(tmp_path: Path) -> None:
    _tree(tmp_path)
    os.symlink(tmp_path, tmp_path / "src" / "loop")
    os.symlink(tmp_path / "README.md", tmp_path / "link.md")
    files = ProjectFiles(tmp_path)
    assert [file.path for file in files.all] == ["README.md", "src/app.py"]


def test_git_listing_includes_untracked_but_not_ignored(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / ".gitignore").write_text("ignored.txt\n")
    (tmp_path / "ignored.txt").write_text("x\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "README.md"], cwd=tmp_path, check=True)
    paths = [file.path for file in ProjectFiles(tmp_path).all]
    assert paths == [".gitignore", "README.md", "src/app.py"]


def test_select_by_include_exclude_and_suffix(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text("")
    files = ProjectFiles(tmp_path, exclude=["README.md"])
    assert [f.path for f in files.select(suffixes=[".py"])] == ["src/app.py", "tests/test_app.py"]
    assert [f.path for f in files.select(exclude=["tests"])] == ["src/app.py"]
    assert [f.path for f in files.select(include=["tests"])] == ["tests/test_app.py"]
    assert files.all[0].size == len("print('x')\n")
