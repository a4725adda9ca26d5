"""Waivers need a reason and an expiry; in force they turn a blocker into a risk."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from pytest_readiness.model import Finding, Severity
from pytest_readiness.waivers import Waiver, apply_waivers
from tests.conftest import read_report

Project = Callable[..., pytest.Pytester]
TODAY = datetime.date(2026, 11, 23)


def _finding(rule: str = "r", path: str | None = "a.py", fingerprint: str = "f" * 24) -> Finding:
    return Finding(
        rule=rule, message="m", severity=Severity.HIGH, fingerprint=fingerprint, path=path
    )


@pytest.mark.parametrize(
    ("waiver", "covered"),
    [
        (Waiver("demo", "ok", TODAY), True),
        (Waiver("other", "ok", TODAY), False),
        (Waiver("demo", "ok", TODAY, rule="r"), True),
        (Waiver("demo", "ok", TODAY, rule="s"), False),
        (Waiver("demo", "ok", TODAY, path="b.py"), False),
        (Waiver("demo", "ok", TODAY, fingerprint="f" * 24), True),
        (Waiver("demo", "ok", TODAY, fingerprint="0" * 24), False),
        (Waiver("demo", "ok", TODAY - datetime.timedelta(days=1)), False),
    ],
)
def test_which_findings_a_waiver_covers(waiver: Waiver, covered: bool) -> None:
    (finding,) = apply_waivers("demo", [_finding()], [waiver], TODAY)
    assert finding.waived is covered


def test_waiver_expiring_today_is_still_in_force() -> None:
    assert not Waiver("demo", "ok", TODAY).expired(TODAY)
    assert Waiver("demo", "ok", TODAY).expired(TODAY + datetime.timedelta(days=1))


WAIVED = """
[tool.readiness.demo]
severities = ["critical"]

[[tool.readiness.waivers]]
check = "demo"
rule = "demo-critical"
reason = "vendor fix due next sprint"
expires = {expires}
"""


def test_waiver_in_force_makes_a_blocker_a_risk(sample_project: Project) -> None:
    pytester = sample_project(WAIVED.format(expires="2099-12-31"))
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "waiver demo until 2099-12-31 (matched 1): vendor fix due next sprint",
            "*READY-WITH-RISKS*",
        ]
    )
    report = read_report(pytester.path / "r.json")
    demo = next(check for check in report["checks"] if check["id"] == "demo")
    assert demo["outcome"] == "passed"
    assert demo["findings"][0]["waived"] is True
    assert report["waivers"][0] | {"matched": 1} == report["waivers"][0]
    assert report["waivers"][0]["expired"] is False


def test_expired_waiver_blocks_and_names_itself(sample_project: Project) -> None:
    pytester = sample_project(WAIVED.format(expires="2020-01-31"))
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*waiver for demo (rule=demo-critical) expired on 2020-01-31*"])
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "not-ready"
    assert report["waivers"][0]["expired"] is True
    demo = next(check for check in report["checks"] if check["id"] == "demo")
    assert demo["findings"][0]["waived"] is False


def test_expired_waiver_blocks_even_when_nothing_needs_it(sample_project: Project) -> None:
    pytester = sample_project(WAIVED.format(expires="2020-01-31").replace('"critical"', ""))
    assert pytester.runpytest("--readiness").ret == 1


def test_unused_waiver_in_force_leaves_the_project_ready(sample_project: Project) -> None:
    pytester = sample_project(WAIVED.format(expires="2099-12-31").replace('"critical"', ""))
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 0
    report = read_report(pytester.path / "r.json")
    assert (report["verdict"], report["waivers"][0]["matched"]) == ("ready", 0)
