"""coverage.py's warnings end to end: never a crash, judged after combining, compared with the
real tools (`coverage run -m pytest` and pytest-cov) on the same sample project.

The sample has a src layout, so `source = ["sample"]` names a package (not a directory) and
coverage.py warns about it the way it does on real projects (itsdangerous: `source = ["jinja2",
"tests"]`).
"""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.test_coverage_engine import coverage_report_total, coverage_run_pytest, run_gate

pytestmark = pytest.mark.usefixtures("not_an_xdist_worker")

SAMPLE = "def used():\n    return 1\n\n\ndef unused():\n    return 2\n"
USES_SAMPLE = "from sample import used\n\n\ndef test_used():\n    assert used() == 1\n"
NO_SAMPLE = "def test_alone():\n    assert True\n"


def make_project(
    pytester: pytest.Pytester, *, source: list[str], tests: dict[str, str], ini: str = ""
) -> None:
    pytester.makepyprojecttoml(
        textwrap.dedent(
            f"""\
            [tool.coverage.run]
            source = {json.dumps(source)}

            [tool.pytest.ini_options]
            pythonpath = ["src"]
            """
        )
        + textwrap.dedent(ini)
        + "\n[tool.readiness.coverage]\nfail_under = 0\n"
    )
    package = pytester.mkdir("src") / "sample"
    package.mkdir()
    (package / "__init__.py").write_text(SAMPLE, "utf-8")
    (package / "plugin.py").write_text("import sample  # a pytest plugin of the project\n")
    pytester.makepyfile(**tests)


def plugin_imports_the_package_first(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#13's setup: a plugin imports the package before measurement begins; no test runs it.

    `PYTHONPATH` makes the package importable for `-p` on every pytest: before 8.1 pytest
    imported `-p` plugins before applying the ini's `pythonpath`.
    """
    monkeypatch.setenv("PYTHONPATH", str(pytester.path / "src"))
    make_project(
        pytester,
        source=["sample"],
        tests={"test_alone": NO_SAMPLE},
        ini='addopts = "-p sample.plugin"\nfilterwarnings = ["error"]\n',
    )


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_warning_under_filterwarnings_error_is_the_checks_error_not_a_crash(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    plugin_imports_the_package_first(pytester, monkeypatch)
    result, check = run_gate(pytester, "-n", workers)
    output = result.stdout.str()
    assert "INTERNALERROR" not in output + result.stderr.str()
    assert result.ret == 1, output
    assert check["outcome"] == "error"
    assert (
        "Module sample was previously imported, but not measured (module-not-measured)"
        in (check["error"])
    )
    assert "disable_warnings" in check["error"]


def test_pytest_cov_in_the_same_setup_goes_on(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest-cov, which also starts after the plugins load, warns the same and goes on.

    (`coverage run -m pytest` starts before any import, so it has no such warning.)
    """
    plugin_imports_the_package_first(pytester, monkeypatch)
    result = pytester.runpytest_subprocess("--cov", "--cov-report=", "-p", "no:readiness")
    assert result.ret == 0
    assert "module-not-measured" in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_source_never_imported_is_a_medium_finding_naming_it(
    pytester: pytest.Pytester, workers: str
) -> None:
    """itsdangerous's `source = ["jinja2", "tests"]`: the tests never import jinja2."""
    make_project(
        pytester,
        source=["sample", "absent_pkg"],
        tests={"test_uses": USES_SAMPLE, "test_alone": NO_SAMPLE, "test_other": NO_SAMPLE},
    )
    result, check = run_gate(pytester, "-n", workers)
    (finding,) = check["findings"]  # sample: imported by one worker only, still measured
    assert finding["rule"] == "coverage-source-unused"
    assert finding["severity"] == "medium"
    assert finding["message"] == (
        'configured source absent_pkg is not measured: coverage.py says "Module absent_pkg was '
        'never imported. (module-not-imported)"'
    )
    assert result.ret == 0, "a medium finding is a risk, not a block"
    result.stdout.fnmatch_lines(["*verdict: READY-WITH-RISKS*"])
    said = coverage_run_pytest(pytester)
    assert "Module absent_pkg was never imported." in said
    assert check["metrics"]["total_percent"] == 60  # 3 of 5 lines
    assert coverage_report_total(pytester, precision=None) == "60"


def test_the_same_under_filterwarnings_error(pytester: pytest.Pytester) -> None:
    make_project(
        pytester,
        source=["sample", "absent_pkg"],
        tests={"test_uses": USES_SAMPLE},
        ini='filterwarnings = ["error"]\n',
    )
    result, check = run_gate(pytester)
    assert [finding["rule"] for finding in check["findings"]] == ["coverage-source-unused"]
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
