"""The coverage check's decisions: thresholds at their boundary, per-file minimums, the ratchet."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import coverage
import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckError
from pytest_readiness.checks.coverage.baseline import Baseline
from pytest_readiness.checks.coverage.check import CoverageCheck
from pytest_readiness.checks.coverage.engine import ARTIFACT
from pytest_readiness.checks.coverage.notices import RunNotices
from pytest_readiness.checks.coverage.settings import CoverageSettings
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult, Severity
from tests.test_coverage_engine import make_sample, run_gate
from tests.test_coverage_report import measured_elsewhere, recorded, write_project

pytestmark = pytest.mark.usefixtures("not_an_xdist_worker")

BASELINE = ".readiness/coverage-baseline.json"


class Recorded:
    """A finished measurement: the controller's side of a run, as the gate leaves it."""

    def __init__(self, cov: coverage.Coverage) -> None:
        self.cov = cov

    def combined(self) -> coverage.Coverage:
        return self.cov

    def notices(self) -> RunNotices:
        return RunNotices([[]])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(
    root: Path, *, arcs: bool = False, baseline_update: bool = False, **settings: Any
) -> CheckResult:
    """The check over pkg/calc.py alone: 7 of 8 statements run, 87.5% (80% with branches)."""
    settings.setdefault("omit", ["pkg/unused.py"])
    ctx = CheckContext(
        rootdir=root,
        files=ProjectFiles(root),
        cache=ContentCache(None),
        baseline_update=baseline_update,
        artifacts={ARTIFACT: Recorded(recorded(root, arcs=arcs))},
    )
    return CoverageCheck(CoverageSettings(**settings)).run(ctx)


def rules(result: CheckResult) -> list[str]:
    return [finding.rule for finding in result.findings]


@pytest.mark.parametrize(
    ("fail_under", "precision", "shown", "fails"),
    [
        (88, 0, "88", False),  # 87.5 shows as 88 at precision 0, and 88 is what is decided
        (89, 0, "88", True),
        (87.5, 0, "87.5", False),  # the threshold's own decimals widen the figure
        (87.6, 0, "87.5", True),
        (87.5, 1, "87.5", False),
        (87.51, 1, "87.50", True),
        (0, 2, "87.50", False),
    ],
)
def test_total_threshold_at_its_boundary(
    project: Path, fail_under: float, precision: int, shown: str, fails: bool
) -> None:
    result = run(project, fail_under=fail_under, precision=precision)
    assert result.metrics["total_percent"] == float(shown)
    assert result.summary.startswith(f"total {shown}% ")
    assert rules(result) == (["coverage-total"] if fails else [])
    if fails:
        assert result.findings[0].message.startswith(f"total coverage {shown}% is below")


def test_the_figure_in_the_summary_is_the_figure_decided(project: Path) -> None:
    result = run(project, fail_under=88.5, precision=0)
    (finding,) = result.findings
    assert finding.message == (
        "total coverage 87.5% is below fail_under 88.5%; most missed: pkg/calc.py (1 missed)"
    )
    assert finding.severity is Severity.HIGH
    assert result.summary == (
        "total 87.5% (fail_under 88.5%); most missed: pkg/calc.py (1 missed); "
        "no source configured: measured as `coverage run -m pytest` measures"
    )


def test_branch_figures_count_branches(project: Path) -> None:
    assert run(project, arcs=True, precision=1).metrics["total_percent"] == 80.0
    assert run(project, arcs=True, precision=1, branch=False).metrics["total_percent"] == 87.5
    with pytest.raises(CheckError, match="branch coverage is required"):
        run(project, arcs=False, branch=True)


def test_defaults_come_from_coverage_configuration(project: Path) -> None:
    (project / ".coveragerc").write_text(
        textwrap.dedent(
            """\
            [report]
            fail_under = 87.6
            precision = 1
            """
        ),
        "utf-8",
    )
    result = run(project)
    assert result.metrics["fail_under"] == 87.6
    assert rules(result) == ["coverage-total"]
    assert "total coverage 87.5% is below fail_under 87.6%" in result.findings[0].message


def test_files_under_their_minimum_are_named(project: Path) -> None:
    result = run(project, omit=[], file_minimum=50, precision=0, fail_under=0)
    assert rules(result) == ["coverage-file"]
    (finding,) = result.findings
    assert finding.path == "pkg/unused.py"
    assert finding.message == "coverage 0% is below file_minimum 50%"
    assert "unused.py" not in finding.fix, "the path is in the finding's own field"
    assert result.metrics["files_below_minimum"] == 1
    assert result.metrics["files_measured"] == 2
    assert result.metrics["total_percent"] == 70


def test_fingerprints_do_not_depend_on_the_figure(project: Path) -> None:
    low, lower = run(project, fail_under=95), run(project, fail_under=99, precision=2)
    assert low.findings[0].fingerprint == lower.findings[0].fingerprint


def test_no_measurement_is_an_error_not_a_pass(project: Path) -> None:
    ctx = CheckContext(rootdir=project, files=ProjectFiles(project), cache=ContentCache(None))
    with pytest.raises(CheckError, match="not measured"):
        CoverageCheck(CoverageSettings()).run(ctx)


def write_baseline(root: Path, total: str, *, branch: bool = False) -> None:
    Baseline(Decimal(total), branch=branch, precision=1).save(root / BASELINE)


@pytest.mark.parametrize(
    ("baseline", "tolerance", "fails"),
    [("87.5", 0, False), ("87.6", 0, True), ("90", 2.5, False), ("90", 2.4, True)],
)
def test_ratchet_fails_a_drop_beyond_the_tolerance(
    project: Path, baseline: str, tolerance: float, fails: bool
) -> None:
    write_baseline(project, baseline)
    result = run(project, precision=1, tolerance=tolerance)
    assert result.metrics["baseline_percent"] == float(baseline)
    assert rules(result) == (["coverage-total"] if fails else [])
    if fails:
        drop = Decimal(baseline) - Decimal("87.5")
        assert f"{drop} points below the baseline {baseline}%" in result.findings[0].message


def test_a_rise_above_the_baseline_passes_and_leaves_the_file_alone(project: Path) -> None:
    write_baseline(project, "80")
    before = (project / BASELINE).read_text("utf-8")
    assert run(project, precision=1).findings == []
    assert (project / BASELINE).read_text("utf-8") == before


def test_baseline_update_writes_this_run_and_decides_against_it(project: Path) -> None:
    write_baseline(project, "95")
    result = run(project, precision=1, omit=[], baseline_update=True, fail_under=0)
    assert rules(result) == []
    assert json.loads((project / BASELINE).read_text("utf-8")) == {
        "branch": False,
        "files": {"pkg/calc.py": 87.5, "pkg/unused.py": 0},
        "precision": 1,
        "total": 70,
        "version": 1,
    }


def test_no_baseline_file_no_ratchet_and_nothing_written(project: Path) -> None:
    result = run(project, precision=1)
    assert "baseline_percent" not in result.metrics
    assert not (project / ".readiness").exists()


def test_a_broken_baseline_is_an_error(project: Path) -> None:
    (project / ".readiness").mkdir()
    (project / BASELINE).write_text("{", "utf-8")
    with pytest.raises(CheckError, match=r"coverage-baseline\.json"):
        run(project)


def test_a_baseline_of_the_other_kind_of_figure_is_an_error(project: Path) -> None:
    write_baseline(project, "80", branch=True)
    with pytest.raises(CheckError, match="recorded with branch coverage"):
        run(project, arcs=False)


@pytest.mark.parametrize(("fail_under", "ret"), [(88, 0), (89, 1)])
def test_shown_figure_decides_the_exit_status(
    pytester: pytest.Pytester, fail_under: int, ret: int
) -> None:
    make_sample(pytester, branch=False, readiness=f"fail_under = {fail_under}\nprecision = 0\n")
    result, check = run_gate(pytester, inprocess=True)
    assert check["metrics"]["total_percent"] == 88
    by_file = check["series"]["coverage_percent_by_file"]  # what the dashboard draws
    assert len(by_file) == check["metrics"]["files_measured"]
    assert all(0 <= percent <= 100 for percent in by_file.values())
    result.stdout.fnmatch_lines([f"*readiness::coverage*total 88% (fail_under {fail_under}%)*"])
    assert result.ret == ret
    assert check["outcome"] == ("failed" if ret else "passed")


def test_ratchet_end_to_end(pytester: pytest.Pytester) -> None:
    make_sample(pytester, branch=False, readiness="tolerance = 10\nfail_under = 0\n")
    result, check = run_gate(pytester, "--readiness-baseline-update", inprocess=True)
    assert check["outcome"] == "passed", result.stdout.str()
    baseline = pytester.path / BASELINE
    assert json.loads(baseline.read_text("utf-8"))["total"] == 87.5
    (pytester.path / "test_sign.py").unlink()  # sign() unrun: 5 of 8 lines, 62.5%
    result, check = run_gate(pytester, inprocess=True)
    assert check["outcome"] == "failed"
    (finding,) = check["findings"]
    assert finding["message"].startswith(
        "total coverage 62.5% is 25.0 points below the baseline 87.5% (tolerance 10)"
    )
    assert result.ret == 1
    assert json.loads(baseline.read_text("utf-8"))["total"] == 87.5, "only an update rewrites it"


def test_an_unwritable_baseline_is_an_error(project: Path) -> None:
    (project / ".readiness").write_text("a file where the directory should be", "utf-8")
    with pytest.raises(CheckError, match="cannot write"):
        run(project, baseline_update=True)


def test_without_any_fail_under_the_review_default_holds_and_says_so(project: Path) -> None:
    result = run(project, omit=[], precision=0)  # 7 of 10 statements: 70%
    assert rules(result) == ["coverage-total"]
    assert result.metrics["fail_under"] == 80
    assert result.findings[0].message.startswith("total coverage 70% is below fail_under 80%")
    assert result.summary.startswith(
        "total 70% (fail_under 80% by the review's default, none configured)"
    )


@pytest.mark.parametrize(
    ("config_file", "text"),
    [
        (".coveragerc", "[report]\nfail_under = 0\n"),
        ("setup.cfg", "[coverage:report]\nfail_under = 0\n"),
        ("pyproject.toml", "[tool.coverage.report]\nfail_under = 0\n"),
    ],
)
def test_the_projects_own_fail_under_wins_even_when_zero(
    project: Path, config_file: str, text: str
) -> None:
    (project / config_file).write_text(text, "utf-8")
    result = run(project, omit=[], precision=0)
    assert rules(result) == []
    assert result.metrics["fail_under"] == 0
    assert "review's default" not in result.summary


def test_the_gates_own_fail_under_wins_over_the_default(project: Path) -> None:
    result = run(project, omit=[], precision=0, fail_under=60)
    assert rules(result) == []
    assert "review's default" not in result.summary


def test_a_critical_path_is_held_to_its_own_minimum(project: Path) -> None:
    result = run(
        project,
        omit=[],
        fail_under=0,
        critical_paths={"pkg/calc.py": 85, "pkg/*": 75, "pkg/unused*": 0, "src/pay/*": 85},
    )
    assert sorted(rules(result)) == [
        "coverage-critical-path",  # pkg/*: calc.py and unused.py together, 7 of 10
        "coverage-critical-path-unmatched",  # src/pay/*
    ]
    by_rule = {finding.rule: finding for finding in result.findings}
    assert by_rule["coverage-critical-path"].message == (
        "critical path pkg/* (2 files) has coverage 70%, below its minimum 75%"
    )
    assert by_rule["coverage-critical-path"].severity is Severity.HIGH
    assert by_rule["coverage-critical-path-unmatched"].severity is Severity.MEDIUM
    assert result.metrics["critical_paths_below_minimum"] == 1


def test_critical_path_figures_follow_the_thresholds_decimals(project: Path) -> None:
    """pkg/calc.py is 87.5%: shown as 88 at precision 0, it passes 88 and fails 87.6."""
    assert rules(run(project, fail_under=0, critical_paths={"pkg/calc.py": 88})) == []
    assert rules(run(project, fail_under=0, critical_paths={"pkg/calc.py": 87.6})) == [
        "coverage-critical-path"
    ]


def test_a_baseline_names_files_outside_the_rootdir_from_their_import_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cov = measured_elsewhere(tmp_path, monkeypatch)
    root = tmp_path / "project"
    ctx = CheckContext(
        rootdir=root,
        files=ProjectFiles(root),
        cache=ContentCache(None),
        baseline_update=True,
        artifacts={ARTIFACT: Recorded(cov)},
    )
    CoverageCheck(CoverageSettings(fail_under=0)).run(ctx)
    assert list(json.loads((root / BASELINE).read_text("utf-8"))["files"]) == ["libpkg/sub/mod.py"]
