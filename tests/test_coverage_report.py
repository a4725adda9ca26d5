"""Per-file counts come out of real coverage data exactly as `coverage report` counts them."""

from __future__ import annotations

from pathlib import Path

import coverage
import pytest
from coverage.data import CoverageData

from pytest_readiness.check import CheckError
from pytest_readiness.checks.coverage.figures import Counts
from pytest_readiness.checks.coverage.report import CoverageReport, FileCoverage, read_report

CALC = """\
def add(a, b):
    return a + b


def sign(x):
    if x < 0:
        return -1
    return 1


def double(x):
    return 2 * x
"""
UNUSED = "def unused():\n    return 0\n"


def write_project(root: Path) -> None:
    (root / "pkg").mkdir()
    (root / "pkg" / "calc.py").write_text(CALC, "utf-8")
    (root / "pkg" / "unused.py").write_text(UNUSED, "utf-8")


def recorded(root: Path, *, arcs: bool) -> coverage.Coverage:
    """Data as a run of add(1, 2), sign(1) and double(2) leaves it, written to a real file."""
    data = CoverageData(basename=str(root / ".coverage"))
    calc, unused = str(root / "pkg" / "calc.py"), str(root / "pkg" / "unused.py")
    if arcs:
        data.add_arcs(
            {
                calc: {(-1, 1), (1, 5), (5, 11), (11, -1), (-1, 2), (2, -1), (-1, 6), (6, 8)}
                | {(8, -5), (-1, 12), (12, -11)}
            }
        )
    else:
        data.add_lines({calc: [1, 2, 5, 6, 8, 11, 12]})
    data.touch_files([unused])  # imported by nothing: coverage.py reports it at 0%
    data.write()
    cov = coverage.Coverage(data_file=str(root / ".coverage"))  # reads the cwd's config
    cov.load()
    return cov


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_line_counts_per_file(project: Path) -> None:
    report = read_report(recorded(project, arcs=False), project)
    assert report == CoverageReport(
        files=(
            FileCoverage("pkg/calc.py", Counts(statements=8, covered_statements=7)),
            FileCoverage("pkg/unused.py", Counts(statements=2, covered_statements=0)),
        ),
        branch=False,
    )
    assert report.total == Counts(10, 7)


def test_branch_counts_follow_the_data(project: Path) -> None:
    report = read_report(recorded(project, arcs=True), project)
    assert report.branch
    assert report.files[0] == FileCoverage("pkg/calc.py", Counts(8, 7, 2, 1))
    assert report.total.percent == 66.66666666666667


def test_branch_off_counts_lines_of_branch_data(project: Path) -> None:
    report = read_report(recorded(project, arcs=True), project, branch=False)
    assert not report.branch
    assert report.total == Counts(10, 7)


def test_branch_required_but_not_measured_is_an_error(project: Path) -> None:
    with pytest.raises(CheckError, match="branch coverage is required"):
        read_report(recorded(project, arcs=False), project, branch=True)


def test_include_and_omit_are_relative_to_the_rootdir_not_the_cwd(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    cov = recorded(project, arcs=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    omitted = read_report(cov, project, omit=["pkg/unused.py"])
    assert [file.path for file in omitted.files] == ["pkg/calc.py"]
    included = read_report(cov, project, include=["pkg/unused*"])
    assert [file.path for file in included.files] == ["pkg/unused.py"]


def test_paths_are_rootdir_relative_when_coverage_started_elsewhere(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    report = read_report(recorded(project, arcs=False), project)
    assert [file.path for file in report.files] == ["pkg/calc.py", "pkg/unused.py"]


def test_nothing_left_to_report_is_an_error(project: Path) -> None:
    with pytest.raises(CheckError, match="No data to report"):
        read_report(recorded(project, arcs=False), project, include=["nowhere/*"])


def test_most_missed_lists_the_worst_files_first() -> None:
    report = CoverageReport(
        files=(
            FileCoverage("a.py", Counts(10, 9)),
            FileCoverage("b.py", Counts(10, 2)),
            FileCoverage("c.py", Counts(10, 10)),
            FileCoverage("d.py", Counts(4, 3, 2, 0)),
        ),
        branch=True,
    )
    assert [file.path for file in report.most_missed(2)] == ["b.py", "d.py"]
    assert [file.path for file in report.most_missed(5)] == ["b.py", "d.py", "a.py"]


def measured_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> coverage.Coverage:
    """Data of `project/`'s run that measured `libpkg.sub.mod` from another checkout's `src/`."""
    project, checkout = tmp_path / "project", tmp_path / "elsewhere" / "lib" / "src"
    project.mkdir()
    module = checkout / "libpkg" / "sub" / "mod.py"
    module.parent.mkdir(parents=True)
    for package in (module.parent, module.parent.parent):
        (package / "__init__.py").write_text("", "utf-8")
    module.write_text("def f():\n    return 1\n", "utf-8")
    monkeypatch.chdir(project)
    data = CoverageData(basename=str(project / ".coverage"))
    data.add_lines({str(module): [1]})
    data.write()
    cov = coverage.Coverage(data_file=str(project / ".coverage"))
    cov.load()
    return cov


def test_a_file_outside_the_rootdir_is_named_from_its_import_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editable install from another checkout: the same name on a laptop and in CI."""
    cov = measured_elsewhere(tmp_path, monkeypatch)
    report = read_report(cov, tmp_path / "project")
    assert [file.path for file in report.files] == ["libpkg/sub/mod.py"]
