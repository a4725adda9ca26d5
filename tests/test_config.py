"""Configuration errors stop the run before collection with exit 4 and name the key."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import read_report

Project = Callable[..., pytest.Pytester]


@pytest.mark.parametrize(
    ("readiness", "message"),
    [
        (
            "[tool.readiness]\nfial_on = 'risks'\n",
            "*tool.readiness.fial_on: unknown key; allowed keys: *fail_on*",
        ),
        (
            "[tool.readiness]\nfail_on = 'never'\n",
            "*tool.readiness.fail_on: got 'never'; allowed: 'not-ready', 'risks'*",
        ),
        (
            "[tool.readiness]\nskip = 'demo'\n",
            "*tool.readiness.skip: expected a list, got a string ('demo')*",
        ),
        (
            "[tool.readiness]\nskip = ['secretz']\n",
            "*tool.readiness.skip: 'secretz' is neither a check id nor a category*",
        ),
        (
            "[tool.readiness.demo]\nbroken = 'yes'\n",
            "*tool.readiness.demo.broken: expected true or false, got a string ('yes')*",
        ),
        (
            "[tool.readiness.demo]\nseverity = 'urgent'\n",
            "*tool.readiness.demo.severity: got 'urgent'; allowed: 'critical', 'high', *",
        ),
        (
            "[tool.readiness.demo]\nseverities = [1]\n",
            "*tool.readiness.demo.severities[0]: expected a string, got a number (1)*",
        ),
        (
            "[tool.readiness.project-metadata]\nreadme_files = []\n",
            "*tool.readiness.project-metadata.readme_files: unknown key; "
            "allowed keys: licence, readme, require_python_version*",
        ),
        (
            "[[tool.readiness.waivers]]\ncheck = 'demo'\nexpires = 2030-01-01\n",
            "*tool.readiness.waivers[0].reason: required key is missing*",
        ),
        (
            "[[tool.readiness.waivers]]\ncheck = 'demo'\nreason = ' '\nexpires = 2030-01-01\n",
            "*tool.readiness.waivers[0]: a waiver needs a non-empty `reason`*",
        ),
        (
            "[[tool.readiness.waivers]]\ncheck = 'demo'\nreason = 'x'\nexpires = 'soon'\n",
            "*tool.readiness.waivers[0].expires: expected a date (YYYY-MM-DD), got a string*",
        ),
        (
            "[[tool.readiness.waivers]]\ncheck = 'dmeo'\nreason = 'x'\nexpires = 2030-01-01\n",
            "*tool.readiness.waivers[0].check: 'dmeo' is not a check id*",
        ),
    ],
)
def test_bad_configuration_is_a_usage_error(
    sample_project: Project, readiness: str, message: str
) -> None:
    result = sample_project(readiness).runpytest("--readiness")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    pattern = message.lstrip("*").replace("[", "[[]")
    result.stderr.fnmatch_lines([f"ERROR: *pyproject.toml: {pattern}"])
    assert "Traceback" not in result.stderr.str()
    assert "collected" not in result.stdout.str()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pyproject", "pyproject.toml: Expected"),
        ("readiness", "readiness.toml: not valid TOML: Expected"),
    ],
)
def test_malformed_toml_is_a_usage_error(
    pytester: pytest.Pytester, name: str, expected: str
) -> None:
    """pytest itself reads pyproject.toml, readiness.toml is ours: both end in exit 4."""
    pytester.makefile(".toml", **{name: "[tool.readiness\nfail_on = 1\n"})
    pytester.makepyfile("def test_ok():\n    pass\n")
    result = pytester.runpytest("--readiness")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert expected in result.stderr.str()
    assert "Traceback" not in result.stderr.str()


def test_bad_configuration_is_ignored_without_the_gate(sample_project: Project) -> None:
    sample_project("[tool.readiness]\nfial_on = 'risks'\n").runpytest().assert_outcomes(passed=1)


def test_readiness_toml_for_projects_without_pyproject(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".toml",
        readiness=(
            "fail_on = 'risks'\nselect = ['project-metadata', 'tests-pass']\n"
            "[project-metadata]\nrequire_python_version = false\n"
        ),
    )
    pytester.makefile(".md", README="# x\n")
    pytester.makefile("", LICENSE="MIT\n")
    pytester.makepyfile("def test_ok():\n    pass\n")
    result = pytester.runpytest("--readiness", "--readiness-report", "r.json")
    assert result.ret == 0
    assert read_report(pytester.path / "r.json")["verdict"] == "ready"
    pytester.makefile(".toml", readiness="unknown = 1\n")
    result = pytester.runpytest("--readiness")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*readiness.toml: unknown: unknown key*"])


def test_settings_in_two_places_are_refused(sample_project: Project) -> None:
    pytester = sample_project("[tool.readiness]\nfail_on = 'risks'\n")
    pytester.makefile(".toml", readiness="fail_on = 'risks'\n")
    result = pytester.runpytest("--readiness")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*keep them in one place*"])
