"""The `bandit` check on sample projects: mapping, project config, cache, and through pytest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckSkipped
from pytest_readiness.checks.insecure_code import BanditCheck
from pytest_readiness.checks.insecure_code.check import BanditSettings
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult, Severity
from tests.conftest import read_report

APP = """import subprocess


def run(command):
    subprocess.call(command, shell=True)
    assert command
"""


def run_check(
    root: Path, settings: BanditSettings | None = None, *, baseline_update: bool = False
) -> CheckResult:
    ctx = CheckContext(
        rootdir=root,
        files=ProjectFiles(root),
        cache=ContentCache(root / ".cache"),
        baseline_update=baseline_update,
    )
    return BanditCheck(settings or BanditSettings()).run(ctx)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")


def test_findings_carry_mapped_severity_cwe_and_doc_link(tmp_path: Path) -> None:
    write(tmp_path, {"src/app.py": APP, "tests/test_app.py": "assert True\n"})

    result = run_check(tmp_path)

    assert [(f.rule, f.severity, f.path, f.line) for f in result.findings] == [
        ("B404", Severity.LOW, "src/app.py", 1),
        ("B602", Severity.HIGH, "src/app.py", 5),
    ]
    assert result.metrics["issues_left_out"] == 1
    assert result.summary.endswith("; 1 B101 left out (leave_out)")
    shell = result.findings[1]
    assert "(CWE-78)" in shell.message
    assert "[bandit high/high]" in shell.message
    assert shell.fix.startswith("see https://bandit.readthedocs.io/")
    assert result.metrics["files_scanned"] == 1


@pytest.mark.parametrize(
    ("files", "settings"),
    [
        ({}, BanditSettings(leave_out=[])),
        ({".bandit": "[bandit]\ntests = B101,B602,B404\n"}, BanditSettings()),
    ],
    ids=["setting", "project-selects-it"],
)
def test_asserts_are_reported_when_asked_for(
    tmp_path: Path, files: dict[str, str], settings: BanditSettings
) -> None:
    write(tmp_path, {"src/app.py": APP, **files})

    result = run_check(tmp_path, settings)

    assert ("B101", 6) in [(f.rule, f.line) for f in result.findings]
    assert result.metrics["issues_left_out"] == 0


def test_the_severity_map_setting_reclassifies_and_ignores(tmp_path: Path) -> None:
    write(tmp_path, {"src/app.py": APP})
    settings = BanditSettings(
        severity_map={"low": {"high": "ignore"}, "high": {"high": "critical"}}
    )

    result = run_check(tmp_path, settings)

    assert [(f.rule, f.severity) for f in result.findings] == [("B602", Severity.CRITICAL)]
    assert result.metrics["issues_ignored_by_map"] == 1
    assert result.metrics["issues_left_out"] == 1


def test_project_bandit_config_skips_tests_and_excludes_paths(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/app.py": APP,
            "scripts/tool.py": APP,
            "pyproject.toml": '[tool.bandit]\nskips = ["B101", "B404"]\nexclude_dirs = ["scripts"]',
        },
    )

    result = run_check(tmp_path)

    assert [(f.rule, f.path) for f in result.findings] == [("B602", "src/app.py")]


def test_dot_bandit_targets_limit_the_files_unless_paths_are_set(tmp_path: Path) -> None:
    write(tmp_path, {"src/app.py": APP, "tools/x.py": APP, ".bandit": "[bandit]\ntargets = src\n"})

    default = run_check(tmp_path)
    explicit = run_check(tmp_path, BanditSettings(paths=["tools"]))

    assert {f.path for f in default.findings} == {"src/app.py"}
    assert {f.path for f in explicit.findings} == {"tools/x.py"}


def test_nosec_is_honoured_unless_ignored(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": "import subprocess  # nosec B404\n"})

    assert run_check(tmp_path).findings == []
    assert [f.rule for f in run_check(tmp_path, BanditSettings(ignore_nosec=True)).findings] == [
        "B404"
    ]


def test_an_unchanged_file_is_not_analysed_again(tmp_path: Path) -> None:
    write(tmp_path, {"src/app.py": APP, "src/other.py": "x = 1\n"})
    cold = run_check(tmp_path)
    (tmp_path / "src/other.py").write_text("x = 2\n", "utf-8")

    warm = run_check(tmp_path)

    assert (cold.metrics["files_cached"], warm.metrics["files_cached"]) == (0, 1)
    assert warm.findings == cold.findings


def test_a_changed_bandit_config_invalidates_the_cache(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": APP, "pyproject.toml": "[tool.bandit]\n"})
    run_check(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.bandit]\nskips = ["B101"]\n', "utf-8")

    result = run_check(tmp_path)

    assert result.metrics["files_cached"] == 0
    assert "B101" not in {f.rule for f in result.findings}


def test_the_baseline_accepts_known_issues_and_reports_new_ones(tmp_path: Path) -> None:
    write(tmp_path, {"src/app.py": APP})
    update = run_check(tmp_path, baseline_update=True)
    write(tmp_path, {"src/app.py": "# moved down\n" + APP + "eval(command)\n"})

    later = run_check(tmp_path)

    assert update.findings == []
    assert (tmp_path / ".readiness" / "bandit-baseline.json").is_file()
    assert [(f.rule, f.line) for f in later.findings] == [("B307", 8)]
    assert later.metrics["baseline_accepted"] == 2


def test_an_unparseable_file_is_a_medium_finding(tmp_path: Path) -> None:
    write(tmp_path, {"broken.py": "def f(:\n"})

    (finding,) = run_check(tmp_path).findings

    assert (finding.rule, finding.severity) == ("not-analysed", Severity.MEDIUM)


def test_nothing_to_analyse_is_a_skip(tmp_path: Path) -> None:
    write(tmp_path, {"tests/test_app.py": APP})

    with pytest.raises(CheckSkipped):
        run_check(tmp_path)


@pytest.mark.usefixtures("not_an_xdist_worker")
def test_through_pytest_a_high_issue_makes_the_project_not_ready(
    sample_project: Callable[..., pytest.Pytester],
) -> None:
    pytester = sample_project(
        readiness='[tool.readiness.bandit]\nseverity_map = { low = { high = "ignore" } }\n',
        conftest="",
        select=["bandit"],
    )
    write(pytester.path, {"src/app.py": APP})

    result = pytester.runpytest(
        "--readiness", "--readiness-select", "bandit", "--readiness-report", "r.json"
    )

    assert result.ret != 0
    report = read_report(pytester.path / "r.json")
    (check,) = [check for check in report["checks"] if check["id"] == "bandit"]
    assert check["outcome"] == "failed"
    assert [(f["rule"], f["severity"], f["line"]) for f in check["findings"]] == [
        ("B602", "high", 5)
    ]
    assert report["verdict"] == "not-ready"
