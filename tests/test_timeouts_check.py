"""The `timeouts` check on sample projects: findings, settings, cache, and through pytest."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckSkipped
from pytest_readiness.checks.timeouts import TimeoutsCheck
from pytest_readiness.checks.timeouts.check import TimeoutsSettings
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult, Severity
from tests.conftest import read_report

CLIENT = """
import subprocess

import requests


def fetch(url):
    return requests.get(url)


def build():
    subprocess.run(["make"])
"""


def run_check(root: Path, settings: TimeoutsSettings | None = None) -> CheckResult:
    ctx = CheckContext(rootdir=root, files=ProjectFiles(root), cache=ContentCache(root / ".cache"))
    return TimeoutsCheck(settings or TimeoutsSettings()).run(ctx)


def write(root: Path, name: str, text: str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(textwrap.dedent(text), "utf-8")


def test_a_call_without_timeout_is_a_high_finding_with_place_and_fix(tmp_path: Path) -> None:
    write(tmp_path, "src/client.py", CLIENT)
    write(tmp_path, "tests/test_client.py", "import requests\nrequests.get('x')\n")

    result = run_check(tmp_path)

    (finding,) = result.findings
    assert (finding.rule, finding.severity, finding.path, finding.line) == (
        "missing-timeout",
        Severity.HIGH,
        "src/client.py",
        8,
    )
    assert "requests.get" in finding.message
    assert "timeout=" in finding.fix
    assert result.metrics["calls_without_timeout"] == 1
    assert result.metrics["files_scanned"] == 1


def test_subprocess_setting_adds_subprocess_calls(tmp_path: Path) -> None:
    write(tmp_path, "src/client.py", CLIENT)

    result = run_check(tmp_path, TimeoutsSettings(subprocess=True))

    assert [finding.line for finding in result.findings] == [8, 12]


def test_extra_calls_setting_names_project_functions(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "from billing import charge\ncharge(10)\ncharge(10, timeout=2)\n")

    result = run_check(tmp_path, TimeoutsSettings(calls=["billing.charge"]))

    assert [finding.line for finding in result.findings] == [2]


def test_fingerprints_survive_moving_the_call(tmp_path: Path) -> None:
    write(tmp_path, "src/client.py", CLIENT)
    before = run_check(tmp_path).findings[0]
    write(tmp_path, "src/client.py", "# a new header line\n\n" + CLIENT)

    after = run_check(tmp_path).findings[0]

    assert after.line == before.line + 2
    assert after.fingerprint == before.fingerprint


def test_second_run_is_served_from_the_cache(tmp_path: Path) -> None:
    write(tmp_path, "src/client.py", CLIENT)
    cold = run_check(tmp_path)

    warm = run_check(tmp_path)

    assert (cold.metrics["files_cached"], warm.metrics["files_cached"]) == (0, 1)
    assert warm.findings == cold.findings


def test_an_unparseable_file_is_reported_not_passed(tmp_path: Path) -> None:
    write(tmp_path, "broken.py", "def f(:\n")

    (finding,) = run_check(tmp_path).findings

    assert (finding.rule, finding.severity, finding.line) == ("not-analysed", Severity.MEDIUM, 1)


def test_nothing_to_analyse_is_a_skip(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# nothing here\n")

    with pytest.raises(CheckSkipped):
        run_check(tmp_path)


@pytest.mark.usefixtures("not_an_xdist_worker")
def test_through_pytest_the_finding_fails_the_item_and_a_waiver_clears_it(
    sample_project: Callable[..., pytest.Pytester],
) -> None:
    pytester = sample_project(conftest="", select=["timeouts"])
    write(pytester.path, "src/client.py", CLIENT)

    failing = pytester.runpytest("--readiness", "--readiness-select", "timeouts")
    pytester.makepyprojecttoml(
        (pytester.path / "pyproject.toml").read_text("utf-8")
        + """
[[tool.readiness.waivers]]
check = "timeouts"
rule = "missing-timeout"
path = "src/client.py"
reason = "the partner API is only called from a batch job with its own deadline"
expires = "2027-06-30"
"""
    )
    waived = pytester.runpytest(
        "--readiness", "--readiness-select", "timeouts", "--readiness-report", "r.json"
    )

    assert failing.ret != 0
    failing.stdout.fnmatch_lines(["*missing-timeout src/client.py:8*"])
    report = read_report(pytester.path / "r.json")
    (check,) = [check for check in report["checks"] if check["id"] == "timeouts"]
    assert [finding["waived"] for finding in check["findings"]] == [True]
    assert report["verdict"] == "ready-with-risks"
    assert waived.ret == 0


@pytest.mark.usefixtures("not_an_xdist_worker")
def test_the_example_service_flaw_is_reported_as_waived(pytester: pytest.Pytester) -> None:
    example = Path(__file__).parent.parent / "examples" / "service"
    shutil.copytree(
        example, pytester.path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
    )

    result = pytester.runpytest_subprocess(
        "--readiness-only",
        "--readiness-select",
        "bandit,timeouts",
        "--readiness-report",
        "r.json",
    )

    report = read_report(pytester.path / "r.json")
    checks = {check["id"]: check for check in report["checks"]}
    assert checks["bandit"]["outcome"] == "passed"
    assert checks["bandit"]["findings"] == []
    (flaw,) = checks["timeouts"]["findings"]
    assert (flaw["path"], flaw["rule"], flaw["waived"]) == (
        "src/example_service/export.py",
        "missing-timeout",
        True,
    )
    assert report["verdict"] == "ready-with-risks"
    assert result.ret == 0


@pytest.mark.parametrize("spec", ["fetch", "billing.charge:", "billing.charge:not a name"])
def test_a_malformed_calls_entry_is_a_usage_error_naming_it(
    pytester: pytest.Pytester, spec: str
) -> None:
    pytester.makepyprojecttoml(f'[tool.readiness.timeouts]\ncalls = ["{spec}"]\n')
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")

    result = pytester.runpytest("--readiness-only", "--readiness-select", "timeouts")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*timeouts*{spec}*"])


def test_tests_examples_and_scripts_are_left_out_and_counted(tmp_path: Path) -> None:
    for name in ("src/client.py", "examples/demo.py", "scripts/release.py", "tests/test_x.py"):
        write(tmp_path, name, CLIENT)

    result = run_check(tmp_path)

    assert {finding.path for finding in result.findings} == {"src/client.py"}
    assert result.metrics["files_left_out"] == 3
    assert result.summary.endswith("; 3 file(s) of tests, examples or scripts left out (exclude)")
