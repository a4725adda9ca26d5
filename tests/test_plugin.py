"""End-to-end behaviour of `pytest --readiness` on sample projects."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import comparable, read_report

Project = Callable[..., pytest.Pytester]


def test_without_the_flag_nothing_changes(sample_project: Project) -> None:
    pytester = sample_project()
    before = sorted(path.name for path in pytester.path.iterdir())
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1)
    assert "readiness gate" not in result.stdout.str()
    assert "readiness::" not in result.stdout.str()
    after = sorted(path.name for path in pytester.path.iterdir() if path.name != ".pytest_cache")
    assert after == before


def test_checks_are_collected_as_items(sample_project: Project) -> None:
    result = sample_project().runpytest("--readiness", "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "test_sample.py::test_ok",
            "readiness::demo",
            "readiness::project-metadata",
            "readiness::tests-pass",
            "4 tests collected*",
        ]
    )


def test_keyword_selection_reaches_checks(sample_project: Project) -> None:
    result = sample_project().runpytest("--readiness", "-v", "-k", "metadata or security")
    result.stdout.fnmatch_lines(
        ["*readiness::demo PASSED*", "*readiness::project-metadata PASSED*"]
    )
    result.assert_outcomes(passed=2, deselected=2)


def test_ready_project(sample_project: Project) -> None:
    pytester = sample_project()
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*readiness gate*", "verdict: READY (exit status 0)"])
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "ready"
    assert report["tests"] == {"passed": 1, "failed": 0, "skipped": 0, "errors": 0}
    assert {check["id"]: check["outcome"] for check in report["checks"]} == {
        "demo": "passed",
        "project-metadata": "passed",
        "tests-pass": "passed",
    }


def test_medium_finding_is_a_risk_not_a_failure(sample_project: Project) -> None:
    pytester = sample_project('[tool.readiness.demo]\nseverities = ["medium", "low"]\n')
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 0
    result.assert_outcomes(passed=4, warnings=1)
    result.stdout.fnmatch_lines(["*ReadinessRiskWarning: readiness::demo: 2 risk(s)*"])
    assert read_report(pytester.path / "r.json")["verdict"] == "ready-with-risks"


def test_fail_on_risks_makes_risks_fail_the_run(sample_project: Project) -> None:
    pytester = sample_project('[tool.readiness.demo]\nseverities = ["low"]\n')
    assert pytester.runpytest("--readiness").ret == 0
    result = pytester.runpytest("--readiness", "--readiness-fail-on", "risks")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["verdict: READY-WITH-RISKS (exit status 1)"])


def test_config_fail_on_is_overridden_by_the_flag(sample_project: Project) -> None:
    pytester = sample_project(
        '[tool.readiness]\nfail_on = "risks"\n[tool.readiness.demo]\nseverities = ["low"]\n'
    )
    assert pytester.runpytest("--readiness").ret == 1
    assert pytester.runpytest("--readiness", "--readiness-fail-on", "not-ready").ret == 0


def test_blocking_finding_fails_the_item_with_its_findings(sample_project: Project) -> None:
    pytester = sample_project('[tool.readiness.demo]\nseverities = ["high", "low"]\n')
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 1
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*readiness check demo*",
            "demo (security, high): 2 finding(s)",
            "  high     demo-high src/app.py:1: a high problem",
            "           fix: do the right thing",
            "  low      demo-low src/app.py:2: a low problem",
        ]
    )
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "not-ready"
    demo = next(check for check in report["checks"] if check["id"] == "demo")
    assert demo["outcome"] == "failed"
    assert [finding["line"] for finding in demo["findings"]] == [1, 2]


def test_failed_test_makes_the_verdict_not_ready(sample_project: Project) -> None:
    pytester = sample_project(tests="def test_bad():\n    assert 1 == 2\n")
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 1
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "not-ready"
    tests_pass = next(check for check in report["checks"] if check["id"] == "tests-pass")
    assert tests_pass["outcome"] == "failed"
    (finding,) = tests_pass["findings"]
    assert finding["path"] == "test_sample.py"
    assert finding["line"] == 1
    assert "assert 1 == 2" in finding["message"]


def test_check_that_cannot_run_is_an_error_never_a_pass(sample_project: Project) -> None:
    pytester = sample_project("[tool.readiness.demo]\nbroken = true\n")
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*error: demo input is unreadable*"])
    demo = next(c for c in read_report(pytester.path / "r.json")["checks"] if c["id"] == "demo")
    assert demo["outcome"] == "error"
    assert demo["error"] == "demo input is unreadable"


def test_error_of_a_medium_check_is_a_risk(sample_project: Project) -> None:
    pytester = sample_project('[tool.readiness.demo]\nbroken = true\nseverity = "medium"\n')
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 0
    assert read_report(pytester.path / "r.json")["verdict"] == "ready-with-risks"


def test_crashing_check_is_an_error_with_its_traceback(sample_project: Project) -> None:
    pytester = sample_project(
        conftest=(
            "from pytest_readiness import Category, Check, Severity\n"
            "class Crash(Check):\n"
            "    id, category, severity = 'crash', Category.QUALITY, Severity.LOW\n"
            "    description = 'crashes'\n"
            "    def run(self, ctx):\n"
            "        return {}['missing']\n"
            "def pytest_readiness_checks():\n"
            "    return [Crash]\n"
        ),
        select=["crash", "tests-pass"],
    )
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    result.stdout.fnmatch_lines(["*ERROR   readiness::crash *check crashed: KeyError: 'missing'*"])
    assert read_report(pytester.path / "r.json")["verdict"] == "ready-with-risks"


def test_readiness_only_runs_checks_and_marked_tests(sample_project: Project) -> None:
    pytester = sample_project(
        tests=(
            "import pytest\n"
            "def test_plain():\n    assert False\n"
            "@pytest.mark.readiness(id='smoke', category='operations')\n"
            "def test_marked():\n    assert True\n"
        ),
        readiness="[tool.readiness]\nskip = ['runbook', 'container', 'kubernetes', 'health', "
        "'metrics', 'alerts', 'tracing']\n",
        select=["demo", "project-metadata", "tests-pass", "operations"],
    )
    result = pytester.runpytest("--readiness-only", "-rs", "--readiness-report", "r.json")
    assert result.ret == 0
    result.assert_outcomes(passed=3, skipped=1, deselected=1)
    result.stdout.fnmatch_lines(["*needs the full test run; skipped under --readiness-only*"])
    report = read_report(pytester.path / "r.json")
    assert {check["id"]: check["outcome"] for check in report["checks"]} == {
        "demo": "passed",
        "project-metadata": "passed",
        "smoke": "passed",
        "tests-pass": "skipped",
    }


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("--readiness-select=security --readiness-skip=bandit,secrets", ["demo"]),
        ("--readiness-select=demo,tests-pass", ["demo", "tests-pass"]),
        ("--readiness-skip=quality", ["demo"]),
    ],
)
def test_select_and_skip_by_id_or_category(
    sample_project: Project, option: str, expected: list[str]
) -> None:
    pytester = sample_project()
    pytester.runpytest("--readiness", *option.split(), "--readiness-report", "r.json")
    assert [c["id"] for c in read_report(pytester.path / "r.json")["checks"]] == expected


def test_unknown_selection_is_a_usage_error(sample_project: Project) -> None:
    result = sample_project().runpytest("--readiness", "--readiness-select", "secretz")
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        ["*--readiness-select: 'secretz' is neither a check id nor a category*"]
    )


def test_marked_test_failing_with_high_severity_blocks(sample_project: Project) -> None:
    pytester = sample_project(
        tests=(
            "import pytest\n"
            "@pytest.mark.readiness(id='backup', category='operations', severity='high')\n"
            "def test_backup_restores():\n    assert False, 'restore lost rows'\n"
        )
    )
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 1
    report = read_report(pytester.path / "r.json")
    backup = next(check for check in report["checks"] if check["id"] == "backup")
    assert backup["outcome"] == "failed"
    assert backup["findings"][0]["message"].startswith("AssertionError: restore lost rows")
    assert report["verdict"] == "not-ready"


def test_marked_test_failing_with_medium_severity_is_a_risk(sample_project: Project) -> None:
    pytester = sample_project(
        tests=(
            "import pytest\n"
            "@pytest.mark.readiness(id='docs-links', category='quality', severity='medium')\n"
            "def test_links():\n    assert False, 'dead link'\n"
        )
    )
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 0
    result.assert_outcomes(passed=4, warnings=1)
    result.stdout.fnmatch_lines(["*ReadinessRiskWarning*dead link*"])
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "ready-with-risks"
    links = next(check for check in report["checks"] if check["id"] == "docs-links")
    assert (links["outcome"], links["severity"]) == ("failed", "medium")


def test_marker_with_a_bad_severity_is_a_usage_error(sample_project: Project) -> None:
    pytester = sample_project(
        tests="import pytest\n@pytest.mark.readiness(severity='urgent')\ndef test_x():\n    pass\n"
    )
    result = pytester.runpytest("--readiness")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*test_sample.py::test_x: @pytest.mark.readiness*'urgent'*"])


def test_marker_without_the_gate_is_an_ordinary_test(sample_project: Project) -> None:
    pytester = sample_project(
        tests="import pytest\n@pytest.mark.readiness(severity='low')\ndef test_x():\n    assert 0\n"
    )
    result = pytester.runpytest("--strict-markers")
    result.assert_outcomes(failed=1)


def test_junit_xml_shows_checks_with_properties(sample_project: Project) -> None:
    pytester = sample_project('[tool.readiness.demo]\nseverities = ["critical"]\n')
    pytester.runpytest("--readiness", "--junitxml", "junit.xml")
    xml = (pytester.path / "junit.xml").read_text()
    assert 'classname="readiness" name="demo"' in xml
    assert '<property name="readiness.severity" value="high" />' in xml
    assert '<property name="readiness.findings" value="1" />' in xml
    assert 'classname="readiness" name="tests-pass"' in xml


SCENARIOS = {
    "ready": ("", "def test_ok():\n    pass\n"),
    "risks": ('[tool.readiness.demo]\nseverities = ["medium"]\n', "def test_ok():\n    pass\n"),
    "blocking-check": (
        '[tool.readiness.demo]\nseverities = ["critical"]\n',
        "def test_ok():\n    pass\n",
    ),
    "failed-test": ("", "def test_a():\n    pass\ndef test_b():\n    assert 0\n"),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_same_verdict_report_and_exit_status_under_xdist(
    sample_project: Project, scenario: str
) -> None:
    readiness, tests = SCENARIOS[scenario]
    pytester = sample_project(readiness, tests)
    serial = pytester.runpytest_subprocess(
        "--readiness", "-n", "0", "--readiness-report", "serial.json"
    )
    parallel = pytester.runpytest_subprocess(
        "--readiness", "-n", "2", "--readiness-report", "xdist.json"
    )
    assert serial.ret == parallel.ret
    serial_report = comparable(read_report(pytester.path / "serial.json"))
    assert serial_report == comparable(read_report(pytester.path / "xdist.json"))
    expected = {"ready": "ready", "risks": "ready-with-risks"}.get(scenario, "not-ready")
    assert serial_report["verdict"] == expected


def test_unwritable_report_path_fails_the_run_with_a_message(sample_project: Project) -> None:
    pytester = sample_project()
    (pytester.path / "blocked").write_text("a file where a directory is needed")
    result = pytester.runpytest("--readiness", "--readiness-report", "blocked/r.json")
    assert result.ret == 4
    result.stdout.fnmatch_lines(["readiness: cannot write a report:*"])


def test_a_run_without_the_gate_imports_no_check(pytester: pytest.Pytester) -> None:
    """Every pytest run loads the plugin; only a gated run may pay for the checks' imports."""
    pytester.makeconftest(
        "import sys\n"
        "LIGHT = {'pytest_readiness.checks.coverage', 'pytest_readiness.checks.coverage.early'}\n"
        "def pytest_sessionfinish():\n"
        "    ours = ('pytest_readiness.checks.', 'pytest_readiness.resilience')\n"
        "    heavy = sorted(name for name in sys.modules if name.startswith(ours))\n"
        "    heavy += [name for name in ('bandit', 'yaml', 'pip_audit') if name in sys.modules]\n"
        "    assert set(heavy) == LIGHT, heavy\n"
    )
    pytester.makepyfile("def test_ok():\n    pass\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    assert "AssertionError" not in result.stderr.str() + result.stdout.str()
