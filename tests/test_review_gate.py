"""The review in a real run: a marked test proves an item, attestations count and expire,
and the Markdown, terminal, history and HTML outputs show it."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from pytest_readiness.catalogue import load_catalogue
from pytest_readiness.reporting.json_report import SCHEMA_FILE
from tests.conftest import read_report

Project = Callable[..., pytest.Pytester]
WITH_REVIEW = ("demo", "project-metadata", "tests-pass", "review")
TODAY = datetime.date.today()
LATER = TODAY + datetime.timedelta(days=90)
MARKED = """
import jsonschema
import pytest

@pytest.mark.readiness(item="reliability.circuit-breakers")
def test_breaker_opens():
    assert True
"""


def items(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for s in report["review"]["sections"] for item in s["items"]}


def attestation(
    item: str, evidence: str = "https://wiki.invalid/drill", expires: Any = LATER, on: Any = TODAY
) -> str:
    return (
        f'[[tool.readiness.attestations]]\nitem = "{item}"\nby = "Ana Lima"\n'
        f'date = {on}\nevidence = "{evidence}"\nexpires = {expires}\n'
    )


def all_but(keep: set[str], profile: str = "library") -> str:
    """A review table that declares every item of `profile` not applicable except `keep`."""
    lines = [
        f'[tool.readiness.review]\nprofile = "{profile}"\n',
        "[tool.readiness.review.not_applicable]",
    ]
    applicable = load_catalogue().for_profile(profile)
    lines += [f'"{i.id}" = "not part of this sample"' for i in applicable if i.id not in keep]
    return "\n".join(lines) + "\n"


def test_without_a_profile_there_is_no_review(sample_project: Project) -> None:
    pytester = sample_project(select=WITH_REVIEW)
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 0
    report = read_report(pytester.path / "r.json")
    assert "review" not in report
    assert "readiness::review" not in result.stdout.str()


def test_a_marked_test_proves_its_item_and_missing_items_block(sample_project: Project) -> None:
    pytester = sample_project('[tool.readiness.review]\nprofile = "service"\n', tests=MARKED,
                              select=WITH_REVIEW)  # fmt: skip
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json", "-p", "no:randomly")
    report = read_report(pytester.path / "r.json")
    found = items(report)
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text("utf-8")))
    assert found["reliability.circuit-breakers"]["status"] == "proven"
    assert found["reliability.circuit-breakers"]["evidence"][0]["nodeid"].endswith(
        "test_breaker_opens"
    )
    assert found["testing.passing"]["status"] == "proven"  # the tests-pass check held
    assert found["operations.dr-plan"]["status"] == "missing"
    review = next(check for check in report["checks"] if check["id"] == "review")
    assert review["outcome"] == "failed"
    assert review["metrics"]["proven"] >= 2
    assert report["review"]["status"] == "Not Ready"
    assert report["verdict"] == "not-ready"
    assert result.ret == 1
    result.stdout.fnmatch_lines(["review infrastructure resilience: *proven*missing*",
                                 "review (service profile): Not Ready"])  # fmt: skip


def test_attestations_prove_and_fail_closed(sample_project: Project) -> None:
    config = all_but(
        {"operations.dr-plan", "code-quality.dependency-updates", "code-quality.style"}, "service"
    )
    config += attestation("operations.dr-plan", "docs/dr.md")
    config += attestation("code-quality.dependency-updates", "docs/nowhere.md")
    config += attestation("code-quality.style", "../outside.md")
    pytester = sample_project(config, select=WITH_REVIEW)
    (pytester.path / "docs").mkdir()
    (pytester.path / "docs" / "dr.md").write_text("drilled\n")
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    found = items(read_report(pytester.path / "r.json"))
    assert found["operations.dr-plan"]["status"] == "attested"
    assert "does not exist" in found["code-quality.dependency-updates"]["problem"]
    assert "outside the project" in found["code-quality.style"]["problem"]
    result.stdout.fnmatch_lines(["*attestation-invalid*"])
    assert result.ret == 1


def test_an_expired_attestation_blocks_even_without_a_review(sample_project: Project) -> None:
    expired = TODAY - datetime.timedelta(days=1)
    signed = TODAY - datetime.timedelta(days=400)
    config = "[tool.readiness]\n" + attestation("operations.dr-plan", expires=expired, on=signed)
    pytester = sample_project(config)
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 1
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "not-ready"
    assert any(
        "attestation of operations.dr-plan by Ana Lima expired" in r for r in report["reasons"]
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[[tool.readiness.attestations]]\nitem = "operations.dr-plan"\nby = "A"\n'
         'date = 2026-01-01\nevidence = "https://x.invalid"\n',
         "attestations[0].expires: required key is missing"),
        (attestation("operations.no-such-item"), "attestations[0].item: 'operations.no-such-item'"),
        (attestation("operations.dr-plan", expires='"soon"'), "attestations[0].expires: expected"),
        ('[tool.readiness.review]\nprofile = "startup"\n', "review.profile"),
        ('[tool.readiness.review]\nprofile = "service"\n[tool.readiness.review.not_applicable]\n'
         '"x.y" = "no"\n', "not_applicable names 'x.y'"),
    ],
)  # fmt: skip
def test_badly_formed_review_config_is_a_usage_error(
    sample_project: Project, config: str, message: str
) -> None:
    result = sample_project("[tool.readiness]\n" + config, select=WITH_REVIEW).runpytest(
        "--readiness"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_a_marker_naming_an_unknown_item_is_a_usage_error(sample_project: Project) -> None:
    tests = MARKED.replace("reliability.circuit-breakers", "reliability.wishful-thinking")
    result = sample_project(tests=tests).runpytest("--readiness")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*reliability.wishful-thinking*no such item*"])


def test_a_covered_review_is_ready_for_production(sample_project: Project) -> None:
    config = all_but(
        {"testing.passing", "testing.in-ci", "governance.security-sign-off"}, "service"
    )
    config += attestation("governance.security-sign-off")
    pytester = sample_project(config, select=WITH_REVIEW)
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json",
                                "--readiness-markdown", "summary.md")  # fmt: skip
    assert result.ret == 0
    report = read_report(pytester.path / "r.json")
    assert report["review"]["status"] == "Ready for Production"
    assert report["verdict"] == "ready"
    markdown = (pytester.path / "summary.md").read_text("utf-8")
    assert "**Status:** [ ] Not Ready | [ ] Ready with Risks | [x] Ready for Production" in markdown
    assert "- ✅ The whole suite passes, every time (`testing.passing`: proven)" in markdown
    assert (
        f"| The security lead signed off the launch | Ana Lima | {TODAY.isoformat()} |" in markdown
    )
    assert "| The product manager signed off the launch | _missing_ |" not in markdown  # n/a here


def test_history_and_dashboard_over_three_runs(sample_project: Project) -> None:
    pytester = sample_project('[tool.readiness.review]\nprofile = "service"\n', tests=MARKED,
                              select=WITH_REVIEW)  # fmt: skip
    for _ in range(3):
        pytester.runpytest("--readiness", "--readiness-history", "out/history.jsonl",
                           "--readiness-html", "out/dashboard.html")  # fmt: skip
    lines = (pytester.path / "out" / "history.jsonl").read_text().splitlines()
    assert len(lines) == 3
    page = (pytester.path / "out" / "dashboard.html").read_text("utf-8")
    assert "Trend over the last 3 run(s)" in page
    assert 'id="scorecard"' in page
    assert "NOT-READY" in page
