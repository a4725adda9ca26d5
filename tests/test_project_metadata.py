"""`project-metadata`: README, licence and requires-python, each a separate finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckError
from pytest_readiness.checks.project_metadata import ProjectMetadataCheck, ProjectMetadataSettings
from pytest_readiness.files import ProjectFiles


def _run(root: Path) -> list[str]:
    context = CheckContext(rootdir=root, files=ProjectFiles(root), cache=ContentCache(None))
    result = ProjectMetadataCheck(ProjectMetadataSettings()).run(context)
    return [finding.rule for finding in result.findings]


def test_complete_project_has_no_findings(tmp_path: Path) -> None:
    (tmp_path / "README.rst").write_text("x")
    (tmp_path / "LICENSE").write_text("MIT")
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.11"\n')
    assert _run(tmp_path) == []


def test_each_missing_piece_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert _run(tmp_path) == ["missing-readme", "missing-licence", "missing-requires-python"]


def test_licence_may_be_declared_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("x")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nlicense = "MIT"\nrequires-python = ">=3.11"\n'
    )
    assert _run(tmp_path) == []


def test_unreadable_pyproject_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(CheckError, match=r"pyproject.toml cannot be read"):
        _run(tmp_path)
