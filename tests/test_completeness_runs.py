"""The completeness rule end to end: every way a run can end early, with and without -n 2.

Each case is a row of `docs/verdict.md`: the exit status is the same under `-n 0` and `-n 2`,
the verdict is never ready, and the reasons name what did not happen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.conftest import DEMO_CHECK, read_report
from tests.test_json_report import VALIDATOR

Project = Callable[..., pytest.Pytester]

# Built from pieces so that the planted key is not itself a secret in this repository.
AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLQ"
# Python keeps SIGINT ignored when the parent ignored it (as an xdist worker of this suite may):
# the handler a terminal user has is restored, so that Ctrl-C reaches pytest as KeyboardInterrupt.
SIGINT_CONFTEST = """
import os, signal
def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.environ["READINESS_TEST_CONTROLLER"] = str(os.getpid())
"""
SIGINT_TEST = """
import os, signal, time
def test_ctrl_c():
    os.kill(int(os.environ["READINESS_TEST_CONTROLLER"]), signal.SIGINT)
    time.sleep(5)
"""


@dataclass(frozen=True)
class Case:
    """A project, the options of the run, and what the gate must say about it."""

    status: int
    reason: str
    args: tuple[str, ...] = ()
    files: dict[str, str] = field(default_factory=dict)
    conftest: str = ""
    select: tuple[str, ...] = ("demo", "tests-pass")


CASES = {
    "module-fails-to-import": Case(
        2, "1 module failed to collect: test_broken.py", files={"test_broken": "import nope\n"}
    ),
    "continue-on-collection-errors": Case(
        1,
        "1 module failed to collect: test_broken.py",
        args=("--continue-on-collection-errors",),
        files={"test_broken": "import nope\n"},
    ),
    "collection-error-with-x": Case(
        2, "1 module failed to collect", args=("-x",), files={"test_broken": "import nope\n"}
    ),
    "marked-module-fails-under-readiness-only": Case(
        2,
        "1 module failed to collect: test_marked.py",
        args=("--readiness-only",),
        files={"test_marked": "import pytest, nope\n@pytest.mark.readiness\ndef test_m(): pass\n"},
    ),
    "sigint": Case(
        2, "interrupted by SIGINT", files={"test_stop": SIGINT_TEST}, conftest=SIGINT_CONFTEST
    ),
    "k-deselects-checks": Case(
        1,
        "not run: secrets, tests-pass (deselected by -k)",
        args=("-k", "test_ok"),
        files={"settings": f"KEY = {AWS_KEY!r}\n"},
        select=("secrets", "tests-pass"),
    ),
    "k-matches-nothing": Case(
        5, "not run: demo, tests-pass (deselected by -k)", args=("-k", "nothing_has_this_name")
    ),
    "bad-path": Case(4, "usage error", args=("no_such_dir",)),
    "maxfail": Case(
        1,
        "stopped early: stopping after 1 failures (-x / --maxfail)",
        args=("-x",),
        files={"test_a_fails": "def test_fails():\n    assert 0\n"},
    ),
    "pytest-exit": Case(
        2,
        "pytest.exit()",
        files={"test_exit": "import pytest\ndef test_exit():\n    pytest.exit('enough')\n"},
    ),
    "internal-error": Case(
        3,
        "internal error: RuntimeError: a hook crashed",
        conftest=(
            "def pytest_runtest_logfinish(nodeid):\n"
            "    if nodeid.endswith('test_ok'):\n"
            "        raise RuntimeError('a hook crashed')\n"
        ),
    ),
}


def _project(sample_project: Project, case: Case) -> pytest.Pytester:
    pytester = sample_project(conftest=DEMO_CHECK + case.conftest, select=list(case.select))
    if case.files:
        pytester.makepyfile(**case.files)
    return pytester


@pytest.mark.parametrize("workers", ["0", "2"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_an_incomplete_run_is_not_ready_with_one_exit_status(
    sample_project: Project, name: str, workers: str
) -> None:
    case = CASES[name]
    pytester = _project(sample_project, case)
    result = pytester.runpytest_subprocess(
        "--readiness", "-n", workers, "--readiness-report=r.json", *case.args
    )
    assert result.ret == case.status, result.stdout.str()
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "not-ready"
    assert report["complete"] is False
    assert report["exit_status"] == case.status
    assert any(case.reason in reason for reason in report["reasons"]), report["reasons"]
    assert "verdict: READY" not in result.stdout.str()


def test_collection_errors_are_errors_of_the_test_run_under_xdist(sample_project: Project) -> None:
    """xdist goes on after a collection error: `tests-pass` must still count it."""
    pytester = _project(sample_project, CASES["module-fails-to-import"])
    pytester.runpytest_subprocess("--readiness", "-n", "2", "--readiness-report=r.json")
    report = read_report(pytester.path / "r.json")
    assert report["tests"]["errors"] == 1
    tests_pass = next(check for check in report["checks"] if check["id"] == "tests-pass")
    assert tests_pass["outcome"] == "failed"
    (finding,) = tests_pass["findings"]
    assert finding["path"] == "test_broken.py"
    assert "error in collection: ModuleNotFoundError: No module named 'nope'" in finding["message"]


def test_checks_not_run_are_listed_never_passed(sample_project: Project) -> None:
    pytester = _project(sample_project, CASES["k-deselects-checks"])
    result = pytester.runpytest_subprocess(
        "--readiness", "-k", "not secrets", "--readiness-report=r.json"
    )
    assert result.ret == 1
    result.stdout.fnmatch_lines(["NOT RUN readiness::secrets (deselected by -k)"])
    report = read_report(pytester.path / "r.json")
    VALIDATOR.validate(report)
    assert [check["id"] for check in report["checks"]] == ["tests-pass"]
    assert report["not_run"] == [
        {"id": "secrets", "nodeid": "readiness::secrets", "reason": "deselected by -k"}
    ]


@pytest.mark.parametrize(
    ("args", "cause"),
    [
        (("--deselect", "readiness::demo"), "deselected by --deselect"),
        (("-m", "slow"), "deselected by -m"),
    ],
)
def test_each_deselecting_option_is_named(
    sample_project: Project, args: tuple[str, ...], cause: str
) -> None:
    pytester = sample_project()
    result = pytester.runpytest_subprocess("--readiness", *args, "--readiness-report=r.json")
    assert result.ret != 0
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "not-ready"
    assert {"id": "demo", "nodeid": "readiness::demo", "reason": cause} in report["not_run"]


def test_a_complete_run_says_so(sample_project: Project) -> None:
    pytester = sample_project()
    assert pytester.runpytest_subprocess("--readiness", "--readiness-report=r.json").ret == 0
    report = read_report(pytester.path / "r.json")
    assert (report["verdict"], report["complete"], report["not_run"]) == ("ready", True, [])


RISKY_UNDER_ERROR_FILTER = """
[tool.readiness.demo]
severities = ["medium"]

[tool.pytest.ini_options]
filterwarnings = ["error"]
"""
LOW_MARKED_TEST = (
    "import pytest\n"
    "@pytest.mark.readiness(id='docs-links', severity='low')\n"
    "def test_links():\n    assert False, 'dead link'\n"
)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_error_filter_cannot_turn_a_risk_into_a_failure(
    sample_project: Project, workers: str
) -> None:
    pytester = sample_project(RISKY_UNDER_ERROR_FILTER, tests=LOW_MARKED_TEST)
    result = pytester.runpytest_subprocess(
        "--readiness", "-n", workers, "-W", "error", "--readiness-report=r.json"
    )
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=4, warnings=2)
    result.stdout.fnmatch_lines(["*ReadinessRiskWarning: readiness::demo: 1 risk(s)*"])
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "ready-with-risks"
    assert report["complete"] is True


@pytest.mark.parametrize("workers", ["0", "2"])
def test_readiness_only_decides_when_test_modules_cannot_be_imported(
    sample_project: Project, workers: str
) -> None:
    """The pre-commit hook: a broken test environment does not stop the static checks."""
    pytester = sample_project(
        '[tool.readiness.demo]\nseverities = ["critical"]\n',
        tests="import nope\ndef test_never():\n    pass\n",
    )
    pytester.makepyfile(test_syntax="def test_x(:\n", test_raises="raise RuntimeError('env')\n")
    only = pytester.runpytest_subprocess(
        "--readiness-only", "-n", workers, "--readiness-report=only.json"
    )
    assert only.ret == 1, only.stdout.str()
    report = read_report(pytester.path / "only.json")
    assert report["complete"] is True
    assert report["tests"]["errors"] == 0
    demo = next(check for check in report["checks"] if check["id"] == "demo")
    assert demo["outcome"] == "failed"
    assert all(reason.startswith("readiness::demo: ") for reason in report["reasons"])
    full = pytester.runpytest_subprocess("--readiness", "-n", workers, "--readiness-report=f.json")
    assert full.ret == 2
    assert any(
        "3 modules failed to collect" in reason
        for reason in read_report(pytester.path / "f.json")["reasons"]
    )


def test_readiness_only_still_collects_a_module_given_on_the_command_line(
    sample_project: Project,
) -> None:
    pytester = sample_project(tests="import nope\n")
    result = pytester.runpytest_subprocess(
        "--readiness-only", "test_sample.py", "--readiness-report=r.json"
    )
    assert result.ret == 2
    assert read_report(pytester.path / "r.json")["verdict"] == "not-ready"


def test_unwritable_cache_turns_the_cache_off_with_one_line(sample_project: Project) -> None:
    """Root ignores file modes, so the cache directory is made impossible by a file in its way."""
    pytester = sample_project()
    (pytester.path / "blocked").write_text("a file where the cache directory would go")
    result = pytester.runpytest_subprocess(
        "--readiness", "-o", "cache_dir=blocked/cache", "--readiness-report=r.json"
    )
    assert result.ret == 0
    notes = [line for line in result.outlines if line.startswith("readiness: result cache off")]
    assert len(notes) == 1
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert read_report(pytester.path / "r.json")["verdict"] == "ready"
