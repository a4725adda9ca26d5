"""The project's coverage.py configuration: the core chosen, the gate left out, fail_under."""

from __future__ import annotations

from pathlib import Path

import coverage
import pytest

from pytest_readiness.checks.coverage.project_config import (
    OWN_PACKAGE,
    explicit_fail_under,
    new_coverage,
    prefer_sysmon,
)
from pytest_readiness.checks.coverage.settings import CoverageSettings


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVERAGE_CORE", raising=False)
    monkeypatch.delenv("COVERAGE_RCFILE", raising=False)
    return tmp_path


def configured(project: Path, run: str = "", report: str = "") -> coverage.Coverage:
    (project / ".coveragerc").write_text(f"[run]\n{run}\n[report]\n{report}\n", "utf-8")
    return coverage.Coverage(config_file=True)


@pytest.mark.parametrize(
    ("version", "run", "chosen"),
    [
        ((3, 11), "", False),  # no sys.monitoring
        ((3, 12), "", True),
        ((3, 13), "branch = true", False),  # sysmon measures branches from 3.14 on
        ((3, 14), "branch = true", True),
        ((3, 12), "core = ctrace", False),  # the project's own choice is kept
        ((3, 12), "timid = true", False),
        ((3, 12), "concurrency = gevent", False),
        ((3, 12), "dynamic_context = test_function", False),
        ((3, 12), "plugins = some_plugin", False),
        ((3, 12), "concurrency = thread", True),
    ],
)
def test_sysmon_where_coverage_supports_it_for_the_settings(
    project: Path, version: tuple[int, int], run: str, chosen: bool
) -> None:
    cov = configured(project, run)
    before = cov.get_option("run:core")
    assert prefer_sysmon(cov, version) is chosen
    assert cov.get_option("run:core") == ("sysmon" if chosen else before)


def test_coverage_core_from_the_environment_is_kept(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COVERAGE_CORE", "pytrace")
    cov = configured(project)
    assert not prefer_sysmon(cov, (3, 12))
    assert cov.get_option("run:core") == "pytrace"


def test_the_gate_does_not_measure_itself(project: Path) -> None:
    cov = new_coverage(CoverageSettings(), project / ".coverage")
    omit = cov.get_option("run:omit")
    assert isinstance(omit, list)
    assert OWN_PACKAGE in omit
    assert not cov.get_option("run:source")


@pytest.mark.parametrize(
    ("report", "explicit"), [("", None), ("fail_under = 0", 0.0), ("fail_under = 87.5", 87.5)]
)
def test_explicit_fail_under_tells_unset_from_zero(
    project: Path, report: str, explicit: float | None
) -> None:
    assert explicit_fail_under(configured(project, report=report)) == explicit


def test_no_configuration_file_has_no_fail_under(project: Path) -> None:
    assert explicit_fail_under(coverage.Coverage(config_file=True)) is None
