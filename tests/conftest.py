"""Shared helpers for the plugin's own tests: sample projects run through `pytester`."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.dependency_servers import postgres_port, redis_port  # noqa: F401 - fixtures

# Property tests judge correctness, not speed: on a busy 2-core CI machine one example can
# take 300 ms for reasons of its own, which hypothesis' default 200 ms deadline and its
# too-slow health check would report as a failure. Speed is measured in benchmarks/.
settings.register_profile("readiness", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("readiness")

# A third-party check as a project would write it in its conftest.py: it reports one finding
# per severity listed in its settings, so tests can reach every verdict through real config.
DEMO_CHECK = """
from dataclasses import dataclass, field

from pytest_readiness import Category, Check, CheckError, CheckResult, Severity


@dataclass
class DemoSettings:
    severities: list[str] = field(default_factory=list)
    broken: bool = False


class DemoCheck(Check):
    id = "demo"
    category = Category.SECURITY
    severity = Severity.HIGH
    description = "reports the findings its settings ask for"
    Settings = DemoSettings

    def run(self, ctx):
        if self.settings.broken:
            raise CheckError("demo input is unreadable")
        findings = [
            self.finding(f"demo-{name}", f"a {name} problem", severity=Severity(name),
                         path="src/app.py", line=index + 1, fix="do the right thing")
            for index, name in enumerate(self.settings.severities)
        ]
        return CheckResult(findings=findings, metrics={"count": len(findings)},
                           summary=f"{len(findings)} finding(s)")


def pytest_readiness_checks():
    return [DemoCheck]
"""

GATE_CHECKS = ("demo", "project-metadata", "tests-pass")

COMPLETE_PYPROJECT = """
[project]
name = "sample"
version = "1.0"
requires-python = ">=3.11"
license = "MIT"
"""


@pytest.fixture
def not_an_xdist_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """An inner pytest inherits the environment: under `-n` it must not take itself for a worker."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)


@pytest.fixture
def sample_project(pytester: pytest.Pytester) -> Callable[..., pytest.Pytester]:
    """A project that is ready unless a test says otherwise: README, licence, a passing test."""

    def make(
        readiness: str = "",
        tests: str = "def test_ok():\n    assert True\n",
        conftest: str = DEMO_CHECK,
        select: Sequence[str] = GATE_CHECKS,
    ) -> pytest.Pytester:
        pytester.makefile(".md", README="# sample\n")
        pytester.makepyprojecttoml(COMPLETE_PYPROJECT + _only(select, textwrap.dedent(readiness)))
        pytester.makepyfile(test_sample=tests)
        pytester.makeconftest(conftest)
        return pytester

    return make


def _only(select: Sequence[str], readiness: str) -> str:
    """Limit the sample to the checks a test is about; each built-in scanner has its own tests."""
    line = f"select = {list(select)!r}\n"
    if "[tool.readiness]\n" in readiness:
        return readiness.replace("[tool.readiness]\n", "[tool.readiness]\n" + line, 1)
    return "[tool.readiness]\n" + line + readiness


def read_report(path: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return report


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    """The report without the timings, which differ between any two runs."""
    report = json.loads(json.dumps(report))
    report.pop("duration_s")
    for check in report["checks"]:
        check.pop("duration_s")
    return report


from tests.process_guard import guard  # noqa: E402, F401 - a fixture
