"""Measured across processes: the same figure with -n 0/2/4, with and without pytest-cov.

The sample's figures are known by construction: `sample/calc.py` has 8 statements of which the
tests run 7 (87.5%), and 2 branches of which they take 1 (80.0% counting branches); its `def`
lines run when the conftest imports it, before any test. Every test runs in a real pytest
subprocess with the early-start plugin, and every figure is also checked against `coverage report`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.checks.coverage.engine import (
    PytestCovReader,
    SingleProcess,
    XdistController,
    XdistWorker,
    choose_role,
)
from pytest_readiness.checks.coverage.settings import CoverageSettings
from tests.test_coverage_report import CALC

pytestmark = pytest.mark.usefixtures("not_an_xdist_worker")

TESTS = {
    "test_add": "from sample import calc\n\n\ndef test_add():\n    assert calc.add(1, 2) == 3\n",
    "test_sign": "from sample import calc\n\n\ndef test_sign():\n    assert calc.sign(1) == 1\n",
    "test_double": (
        "from sample import calc\n\n\ndef test_double():\n    assert calc.double(2) == 4\n\n\n"
        "def test_other():\n    assert True\n"
    ),
}
CONFTEST = "from sample.calc import add  # runs calc.py's module-level lines at conftest import\n"
LINES, BRANCHES = "87.5", "80.0"


@pytest.fixture(autouse=True)
def private_tmpdir(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The subprocesses' temporary directory, to see that no data directory is left behind."""
    tmp = pytester.mkdir("tmp")
    monkeypatch.setenv("TMPDIR", str(tmp))
    return tmp


def make_sample(pytester: pytest.Pytester, *, branch: bool, readiness: str = "") -> None:
    pytester.makepyprojecttoml(
        textwrap.dedent(
            f"""\
            [tool.coverage.run]
            source = ["sample"]
            branch = {str(branch).lower()}

            [tool.coverage.report]
            precision = 1

            [tool.pytest.ini_options]
            pythonpath = ["."]

            [tool.readiness.coverage]
            """
        )
        + textwrap.dedent(readiness)
    )
    package = pytester.mkpydir("sample")
    (package / "calc.py").write_text(CALC, "utf-8")
    pytester.makepyfile(**TESTS)
    pytester.makeconftest(CONFTEST)


def run_gate(
    pytester: pytest.Pytester, *args: str, inprocess: bool = False
) -> tuple[pytest.RunResult, dict[str, Any]]:
    """The gate with only the coverage check; its record from the JSON report."""
    gate = ("--readiness", "--readiness-select", "coverage", "--readiness-report", "r.json")
    run = pytester.runpytest_inprocess if inprocess else pytester.runpytest_subprocess
    result = run(*gate, *args)
    report = json.loads((pytester.path / "r.json").read_text("utf-8"))
    (check,) = report["checks"]
    return result, check


def coverage_run_pytest(pytester: pytest.Pytester, *args: str) -> str:
    """`coverage run -m pytest` on the project, without the gate; what it printed."""
    command = [sys.executable, "-m", "coverage", "run", "-m", "pytest", "-p", "no:readiness"]
    completed = subprocess.run(
        [*command, *args], cwd=pytester.path, capture_output=True, text=True, check=False
    )
    return completed.stdout + completed.stderr


def coverage_report_total(pytester: pytest.Pytester, precision: int | None = 1) -> str:
    """What `coverage report` says about the data file left in the project."""
    shown = [] if precision is None else [f"--precision={precision}"]
    completed = subprocess.run(
        [sys.executable, "-m", "coverage", "report", "--format=total", *shown],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


@pytest.mark.parametrize(
    ("workers", "branch", "with_pytest_cov"),
    [
        ("0", False, False),
        ("0", True, True),
        ("2", True, False),
        ("2", False, True),
        ("4", True, False),
        ("4", False, True),
    ],
)
def test_total_is_exact_in_every_setup(
    pytester: pytest.Pytester,
    private_tmpdir: Path,
    workers: str,
    branch: bool,
    with_pytest_cov: bool,
) -> None:
    make_sample(pytester, branch=branch)
    cov_args = ["--cov", "--cov-report="] if with_pytest_cov else []
    result, check = run_gate(pytester, "-n", workers, *cov_args)
    expected = BRANCHES if branch else LINES
    assert check["outcome"] == "passed", result.stdout.str()
    assert check["metrics"]["total_percent"] == float(expected)
    assert check["summary"].startswith(f"total {expected}% ")
    assert result.ret == 0
    result.stdout.fnmatch_lines([f"*coverage*total {expected}%*"])
    if with_pytest_cov:
        assert coverage_report_total(pytester) == expected
    else:
        assert not list(pytester.path.glob(".coverage*")), (
            "measured data must stay out of the project"
        )


def test_reference_figures_are_what_coverage_run_reports(pytester: pytest.Pytester) -> None:
    """The literal figures above, confirmed by coverage.py measuring plain pytest itself."""
    make_sample(pytester, branch=True)
    coverage_run_pytest(pytester, "-q", "-p", "no:xdist")
    assert coverage_report_total(pytester) == BRANCHES


def test_a_worker_that_dies_without_data_is_an_error(pytester: pytest.Pytester) -> None:
    make_sample(pytester, branch=False)
    pytester.makepyfile(test_crash="import os\n\n\ndef test_crash():\n    os._exit(3)\n")
    result, check = run_gate(pytester, "-n", "2")
    assert check["outcome"] == "error", result.stdout.str()
    assert "ended without saving coverage data" in check["error"]
    assert result.ret != 0


def test_no_test_ran_is_an_error(pytester: pytest.Pytester) -> None:
    make_sample(pytester, branch=False)
    result, check = run_gate(pytester, "-k", "coverage")  # deselects every test of the project
    assert check["outcome"] == "error", result.stdout.str()
    assert "no test of the project ran" in check["error"]
    assert result.ret != 0


@pytest.mark.parametrize(
    ("args", "role"),
    [
        (["-p", "no:cov"], SingleProcess),
        (["-n", "0"], SingleProcess),
        (["-n", "2"], XdistController),
        (["--cov", "-n", "2"], PytestCovReader),
        (["--cov", "--no-cov"], SingleProcess),
    ],
)
def test_choose_role_by_process(pytester: pytest.Pytester, args: list[str], role: type) -> None:
    config = pytester.parseconfigure(*args)
    if config.option.numprocesses:  # what xdist's pytest_cmdline_main does before configure
        config.option.dist = "load"
        config.option.tx = ["popen"] * config.option.numprocesses
    chosen = choose_role(config, CoverageSettings())
    assert type(chosen) is role
    if isinstance(chosen, SingleProcess | XdistController):
        chosen.pytest_unconfigure(config)


def test_a_worker_config_gets_the_worker_role(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfigure()
    config.workerinput = {}  # type: ignore[attr-defined]
    assert type(choose_role(config, CoverageSettings())) is XdistWorker


def test_under_pytest_cov_a_worker_measures_nothing_itself(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfigure("--cov")
    config.workerinput = {}  # type: ignore[attr-defined]
    assert choose_role(config, CoverageSettings()) is None
