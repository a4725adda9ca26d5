"""The opt-in history scan finds secrets that a later commit deleted."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from pytest_readiness.checks.secrets.history import HistoryError, scan_history
from pytest_readiness.checks.secrets.scanner import secret_hash
from tests.secrets_samples import checksummed


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@localhost", *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    return tmp_path


def test_deleted_secret_is_found_with_its_commit_and_line(repository: Path) -> None:
    token = checksummed("gh" + "p_", random.Random(1))
    config = repository / "config.py"
    config.write_text("A = 1\nB = 2\n")
    git(repository, "add", ".")
    git(repository, "commit", "-q", "-m", "start")
    config.write_text(f"A = 1\nB = 2\nTOKEN = '{token}'\n")
    git(repository, "commit", "-q", "-am", "oops")
    leaked = git(repository, "rev-parse", "HEAD").strip()
    config.write_text("A = 1\nB = 2\n")
    git(repository, "commit", "-q", "-am", "remove")

    (found,) = scan_history(repository)
    assert found.commit == leaked
    assert (found.match.rule, found.match.path, found.match.line) == (
        "github-token",
        "config.py",
        3,
    )
    assert found.match.secret_hash == secret_hash(token)


def test_max_commits_limits_how_far_back(repository: Path) -> None:
    (repository / "a.py").write_text(f"T = '{checksummed('np' + 'm_', random.Random(2))}'\n")
    git(repository, "add", ".")
    git(repository, "commit", "-q", "-m", "leak")
    (repository / "a.py").write_text("T = None\n")
    git(repository, "commit", "-q", "-am", "fix")
    assert len(scan_history(repository)) == 1
    assert scan_history(repository, max_commits=1) == []


def test_not_a_repository_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(HistoryError):
        scan_history(tmp_path)
