"""The `pipelines` check: Action pins, pipes from the network into a shell, job timeouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.check import CheckSkipped
from pytest_readiness.checks.pipelines import PIPE_TO_SHELL, PipelinesCheck
from pytest_readiness.model import Severity
from tests.conftest import read_report
from tests.operations_projects import by_rule, project, run

SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"

GOOD = f"""
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@{SHA}  # v4.2.2
      - uses: ./.github/actions/setup
      - uses: docker://alpine@sha256:{"a" * 64}
      - run: python -m pytest
  release:
    uses: org/workflows/.github/workflows/release.yml@{SHA}
"""

BAD = """
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: someone/setup-tool@main
      - uses: docker://alpine:3.20
      - run: |
          curl -sSL https://example.invalid/install.sh | bash
          # curl https://example.invalid/x | sh   (a comment, not run)
  deploy:
    uses: org/workflows/.github/workflows/deploy.yml@v1
"""


def test_a_pinned_workflow_with_timeouts_passes(tmp_path: Path) -> None:
    result = run(PipelinesCheck, project(tmp_path, {".github/workflows/ci.yml": GOOD}))

    assert result.findings == []
    assert result.metrics["jobs"] == 2


def test_each_rule_fires_at_its_line(tmp_path: Path) -> None:
    result = run(PipelinesCheck, project(tmp_path, {".github/workflows/ci.yml": BAD}))

    found = sorted((f.rule, f.line, f.severity) for f in result.findings)
    assert found == [
        ("action-not-pinned", 7, Severity.LOW),
        ("action-not-pinned", 8, Severity.MEDIUM),
        ("action-not-pinned", 9, Severity.MEDIUM),
        ("action-not-pinned", 13, Severity.MEDIUM),
        ("job-without-timeout", 4, Severity.LOW),
        ("pipe-to-shell", 11, Severity.MEDIUM),
    ]
    assert "`uses: actions/checkout@v4`" in by_rule(result, "action-not-pinned")[0].message


@pytest.mark.parametrize(
    "line",
    [
        "curl -fsSL https://get.example.invalid | sh",
        "curl -fsSL https://get.example.invalid | sudo -E bash -",
        "wget -qO- https://get.example.invalid | python3",
        'sh -c "$(curl -fsSL https://get.example.invalid)"',
        "bash <(curl -s https://get.example.invalid)",
    ],
)
def test_fetched_scripts_run_by_a_shell_are_recognised(line: str) -> None:
    assert PIPE_TO_SHELL.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "curl -fsSLo install.sh https://get.example.invalid && sha256sum -c install.sha256",
        "curl -s https://api.example.invalid | jq .version",
        "cat script.sh | sh",
        "echo curl | shasum",
    ],
)
def test_downloads_that_are_checked_or_not_run_are_not(line: str) -> None:
    assert not PIPE_TO_SHELL.search(line)


def test_dockerfiles_and_scripts_are_searched_but_test_fixtures_are_counted(
    tmp_path: Path,
) -> None:
    files = {
        "Dockerfile": "FROM python:3.12\nRUN curl -sSL https://x.invalid/i | sh\n",
        "scripts/bootstrap.sh": "#!/bin/sh\nwget -O - https://x.invalid/i | bash\n",
        "tests/docker/Dockerfile": "FROM python:3.12\nRUN curl https://x.invalid | sh\n",
    }

    result = run(PipelinesCheck, project(tmp_path, files))

    assert sorted((f.path, f.line) for f in result.findings) == [
        ("Dockerfile", 2),
        ("scripts/bootstrap.sh", 2),
    ]
    assert result.metrics["files_left_out"] == 1
    assert "1 under test, example or docs directories left out" in result.summary


def test_settings_turn_timeouts_off_and_trust_other_owners(tmp_path: Path) -> None:
    ctx = project(tmp_path, {".github/workflows/ci.yml": BAD})

    result = run(PipelinesCheck, ctx, require_timeout=False, trusted_owners=["someone"])

    assert "job-without-timeout" not in {f.rule for f in result.findings}
    assert by_rule(result, "action-not-pinned")[1].severity is Severity.LOW


def test_a_broken_workflow_is_a_high_finding_with_its_line(tmp_path: Path) -> None:
    ctx = project(tmp_path, {".github/workflows/ci.yml": "jobs:\n  test: [unclosed\n"})

    (finding,) = run(PipelinesCheck, ctx).findings

    assert (finding.rule, finding.severity, finding.line) == (
        "unparseable-workflow",
        Severity.HIGH,
        3,
    )


def test_nothing_to_check_is_a_skip(tmp_path: Path) -> None:
    with pytest.raises(CheckSkipped, match="no CI workflow"):
        run(PipelinesCheck, project(tmp_path, {"src/app.py": "x = 1\n"}))


def test_the_shipped_github_actions_example_passes(tmp_path: Path) -> None:
    example = Path(__file__).parent.parent / "examples" / "ci" / "github-actions.yml"
    ctx = project(tmp_path, {".github/workflows/readiness.yml": example.read_text("utf-8")})

    result = run(PipelinesCheck, ctx)

    assert result.findings == []
    assert result.metrics["jobs"] == 1


def test_the_gate_runs_it_as_a_supply_chain_item(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.readiness]\nselect = ['pipelines']\n")
    (pytester.path / ".github" / "workflows").mkdir(parents=True)
    (pytester.path / ".github" / "workflows" / "ci.yml").write_text(BAD, "utf-8")

    result = pytester.runpytest("--readiness-only", "--readiness-report", "r.json")

    report = read_report(pytester.path / "r.json")
    (check,) = report["checks"]
    assert (check["id"], check["category"], check["outcome"]) == (
        "pipelines",
        "supply-chain",
        "passed",
    )
    assert len(check["findings"]) == 6
    assert report["verdict"] == "ready-with-risks"
    assert result.ret == 0
