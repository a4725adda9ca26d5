"""Third-party checks: from a conftest.py and from a plugin package, counted like built-ins."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import read_report

Project = Callable[..., pytest.Pytester]
PLUGIN_SOURCE = Path(__file__).resolve().parent.parent / "examples" / "plugin-check" / "src"


def test_plugin_package_check_counts_in_the_verdict(sample_project: Project) -> None:
    pytester = sample_project(conftest="", select=["fixme", "project-metadata", "tests-pass"])
    pytester.syspathinsert(PLUGIN_SOURCE)
    (pytester.path / "src").mkdir()
    (pytester.path / "src" / "app.py").write_text("x = 1\n# FIXME: handle the empty cart\n")
    result = pytester.runpytest(
        "-p", "readiness_todo", "--readiness", "--readiness-report", "r.json"
    )
    assert result.ret == 0
    report = read_report(pytester.path / "r.json")
    fixme = next(check for check in report["checks"] if check["id"] == "fixme")
    assert fixme["findings"][0]["path"] == "src/app.py"
    assert fixme["findings"][0]["line"] == 2
    assert fixme["metrics"] == {"files_scanned": 1.0}
    assert report["verdict"] == "ready-with-risks"


def test_plugin_package_settings_are_validated(sample_project: Project) -> None:
    pytester = sample_project(
        "[tool.readiness.fixme]\npath = ['src']\n", conftest="", select=["fixme"]
    )
    pytester.syspathinsert(PLUGIN_SOURCE)
    result = pytester.runpytest("-p", "readiness_todo", "--readiness")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*tool.readiness.fixme.path: unknown key; allowed keys: paths*"])


def test_conftest_check_runs_under_xdist_workers(sample_project: Project) -> None:
    pytester = sample_project('[tool.readiness.demo]\nseverities = ["high"]\n')
    result = pytester.runpytest_subprocess("--readiness", "-n", "2", "-v")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*FAILED readiness::demo*"])


def test_modify_findings_hook_can_drop_findings(sample_project: Project) -> None:
    pytester = sample_project('[tool.readiness.demo]\nseverities = ["high", "low"]\n')
    pytester.makeconftest(
        (pytester.path / "conftest.py").read_text()
        + "\ndef pytest_readiness_modify_findings(check, findings):\n"
        + "    findings[:] = [f for f in findings if f.severity.value != 'high']\n"
    )
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 0
    assert read_report(pytester.path / "r.json")["verdict"] == "ready-with-risks"


def test_report_hook_sees_the_final_report(sample_project: Project) -> None:
    pytester = sample_project()
    pytester.makeconftest(
        (pytester.path / "conftest.py").read_text()
        + "\ndef pytest_readiness_report(report, config):\n"
        + "    report['release'] = 'r42'\n"
    )
    pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert read_report(pytester.path / "r.json")["release"] == "r42"


def test_two_checks_with_one_id_are_refused(sample_project: Project) -> None:
    pytester = sample_project()
    pytester.makeconftest(
        (pytester.path / "conftest.py").read_text()
        + "\nclass Again(DemoCheck):\n    pass\n"
        + "\ndef pytest_readiness_checks():\n    return [DemoCheck, Again]\n"
    )
    result = pytester.runpytest("--readiness")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*two readiness checks share the id 'demo'*"])
