"""SecretsCheck end to end: findings, skips, allowlist, baseline, test files, the gate."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.secrets.allowlist import AllowlistSettings
from pytest_readiness.checks.secrets.check import SecretsCheck, SecretsSettings
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult, Severity
from pytest_readiness.settings import SettingsError, load_dataclass
from tests.conftest import read_report
from tests.secrets_samples import checksummed, password


def run(root: Path, baseline_update: bool = False, **settings: object) -> CheckResult:
    check = SecretsCheck(SecretsSettings(workers=1, **settings))  # type: ignore[arg-type]
    context = CheckContext(
        rootdir=root,
        files=ProjectFiles(root),
        cache=ContentCache(root.parent / f"{root.name}-cache"),
        baseline_update=baseline_update,
    )
    return check.run(context)


def write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)


@pytest.fixture
def leaky(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "project"
    token = checksummed("gh" + "p_", random.Random(1))
    write(root, {"src/app.py": f"import os\n\nTOKEN = '{token}'\n", "README.md": "# app\n"})
    return root, token


def test_finding_has_rule_place_and_masked_message_only(leaky: tuple[Path, str]) -> None:
    root, token = leaky
    result = run(root)
    (finding,) = result.findings
    assert (finding.rule, finding.path, finding.line, finding.column) == (
        "github-token",
        "src/app.py",
        3,
        10,
    )
    assert finding.severity is Severity.CRITICAL
    assert "ghp_...(40 chars)" in finding.message
    dumped = json.dumps([f.to_dict() for f in result.findings]) + result.summary
    assert token not in dumped
    assert token[4:] not in dumped
    assert result.metrics["files_scanned"] == 2


def test_fingerprint_survives_a_line_move(leaky: tuple[Path, str]) -> None:
    root, token = leaky
    before = run(root).findings[0]
    (root / "src/app.py").write_text(f"\n\n\n\nTOKEN = '{token}'\n")
    after = run(root).findings[0]
    assert after.line == 5
    assert after.fingerprint == before.fingerprint


def test_generated_and_vendored_paths_are_skipped_and_counted(tmp_path: Path) -> None:
    token = checksummed("np" + "m_", random.Random(2))
    line = f"t = '{token}'\n"
    write(
        tmp_path,
        {
            "poetry.lock": line,
            "vendor/x/index.js": line,
            "pkg-1.0.dist-info/RECORD": line,
            "bom.json": line,
            "app.py": "x = 1\n",
        },
    )
    result = run(tmp_path)
    assert result.findings == []
    assert result.metrics["skipped_lock_file"] == 1
    assert result.metrics["skipped_vendored"] == 1
    assert result.metrics["skipped_package_metadata"] == 1
    assert result.metrics["skipped_sbom"] == 1
    assert len(run(tmp_path, skip_generated=False).findings) == 4


def test_allowlist_by_path_rule_and_regex(leaky: tuple[Path, str]) -> None:
    root, _ = leaky
    assert run(root, allowlist=AllowlistSettings(paths=["src"])).findings == []
    assert run(root, allowlist=AllowlistSettings(rules=["github-token"])).findings == []
    assert run(root, allowlist=AllowlistSettings(regexes=["^ghp_"])).findings == []
    result = run(root, allowlist=AllowlistSettings(paths=["src"]))
    assert result.metrics["allowlisted"] == 1


def test_baseline_update_then_accepted_then_new_secret_caught(leaky: tuple[Path, str]) -> None:
    root, token = leaky
    updated = run(root, baseline_update=True)
    assert updated.findings == []
    baseline = root / ".readiness" / "secrets-baseline.json"
    assert token not in baseline.read_text()
    accepted = run(root)
    assert accepted.findings == []
    assert accepted.metrics["baseline_accepted"] == 1
    other = checksummed("gh" + "p_", random.Random(9))
    (root / "src/app.py").write_text(f"TOKEN = '{token}'\nOTHER = '{other}'\n")
    assert [f.line for f in run(root).findings] == [2]


def test_broken_baseline_is_an_error(leaky: tuple[Path, str]) -> None:
    root, _ = leaky
    write(root, {".readiness/secrets-baseline.json": "not json"})
    with pytest.raises(CheckError, match="baseline"):
        run(root)


@pytest.mark.parametrize(
    ("mode", "expected"), [("scan", ["critical", "low"]), ("low", ["low", "low"]), ("skip", [])]
)
def test_test_files_policy(tmp_path: Path, mode: str, expected: list[str]) -> None:
    """`scan` reports a checksum-verified token in a test at full severity, a password there
    as a fixture (low); `low` lowers both; `skip` does not look."""
    token = checksummed("gh" + "p_", random.Random(3))
    write(
        tmp_path,
        {"tests/test_app.py": f"T = '{token}'\npassword = '{password(random.Random(3))}'\n"},
    )
    if mode == "skip":
        with pytest.raises(CheckSkipped):
            run(tmp_path, test_files=mode)
        return
    assert [f.severity.value for f in run(tmp_path, test_files=mode).findings] == expected


def test_history_reports_deleted_secrets_once(leaky: tuple[Path, str]) -> None:
    import subprocess

    root, _ = leaky

    def git(*args: str) -> None:
        command = ["git", "-c", "user.name=t", "-c", "user.email=t@localhost", *args]
        subprocess.run(command, cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "leak")
    deleted = checksummed("np" + "m_", random.Random(4))
    (root / "old.py").write_text(f"T = '{deleted}'\n")
    git("add", ".")
    git("commit", "-q", "-m", "more")
    (root / "old.py").unlink()
    git("commit", "-q", "-am", "remove")
    assert len(run(root).findings) == 1
    findings = run(root, history=True).findings
    assert sorted(f.rule for f in findings) == ["github-token", "npm-token"]
    historical = next(f for f in findings if f.rule == "npm-token")
    assert "git history" in historical.message
    assert deleted not in historical.message


def test_settings_are_validated() -> None:
    loaded = load_dataclass(
        SecretsSettings,
        {"allowlist": {"rules": ["jwt"]}, "test_files": "low", "workers": 1},
        "tool.readiness.secrets",
    )
    assert loaded.allowlist.rules == ["jwt"]
    with pytest.raises(SettingsError, match="test_files"):
        load_dataclass(SecretsSettings, {"test_files": "maybe"}, "tool.readiness.secrets")
    with pytest.raises(SettingsError, match="workers"):
        load_dataclass(SecretsSettings, {"workers": -1}, "tool.readiness.secrets")


def test_gate_reports_the_finding_without_the_secret(
    sample_project: Callable[..., pytest.Pytester],
) -> None:
    pytester = sample_project()
    token = checksummed("gh" + "p_", random.Random(5))
    pytester.makepyfile(settings=f"TOKEN = '{token}'\n")
    result = pytester.runpytest(
        "--readiness",
        "--readiness-select",
        "secrets",
        "--readiness-report",
        "r.json",
        "--junitxml",
        "junit.xml",
    )
    assert result.ret != 0
    report = read_report(pytester.path / "r.json")
    (check,) = report["checks"]
    assert (check["id"], check["outcome"]) == ("secrets", "failed")
    (finding,) = check["findings"]
    assert (finding["path"], finding["line"], finding["rule"]) == ("settings.py", 1, "github-token")
    assert token not in (pytester.path / "r.json").read_text()
    assert token not in result.stdout.str()
    junit = (pytester.path / "junit.xml").read_text()
    assert "ghp_...(40 chars)" in junit
    assert token not in junit
    cached = "".join(p.read_text("utf-8", "replace") for p in pytester.path.rglob("*.json"))
    assert token not in cached


def test_gate_passes_a_clean_project(sample_project: Callable[..., pytest.Pytester]) -> None:
    pytester = sample_project()
    result = pytester.runpytest("--readiness", "--readiness-select", "secrets")
    assert result.ret == 0
