"""The project's bandit configuration, read from where bandit's users keep it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.check import CheckError
from pytest_readiness.checks.insecure_code.project_config import BanditSetup, discover


def test_without_configuration_bandit_runs_every_test(tmp_path: Path) -> None:
    setup = discover(tmp_path)

    assert (setup.config_file, setup.tests, setup.skips, setup.excluded_paths) == (
        None,
        (),
        (),
        (),
    )
    assert setup.profile() == {"include": set(), "exclude": set()}


def test_tool_bandit_in_pyproject_is_honoured(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.bandit]\nskips = ["B101", "B404"]\nexclude_dirs = ["scripts"]\n', "utf-8"
    )

    setup = discover(tmp_path)

    assert setup.config_file == str(tmp_path / "pyproject.toml")
    assert setup.skips == ("B101", "B404")
    assert setup.excluded_paths == ("scripts",)


def test_a_pyproject_without_tool_bandit_is_not_a_bandit_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")

    assert discover(tmp_path).config_file is None


def test_dot_bandit_adds_skips_tests_excludes_and_targets(tmp_path: Path) -> None:
    (tmp_path / ".bandit").write_text("[bandit]\nskips = B101, B311\ntests = B602,B101x\n", "utf-8")

    with pytest.raises(CheckError, match="unknown tests: B101x"):
        discover(tmp_path)
    (tmp_path / ".bandit").write_text(
        "[bandit]\nskips = B101, B311\nexclude = ./build/,gen\ntargets = ./src\n", "utf-8"
    )
    setup = discover(tmp_path)

    assert setup.skips == ("B101", "B311")
    assert setup.excluded_paths == ("./build/", "gen")
    assert setup.targets == ("src",)


def test_dot_bandit_configfile_and_the_config_setting_name_a_yaml_config(tmp_path: Path) -> None:
    (tmp_path / "bandit.yaml").write_text("skips: ['B603']\n", "utf-8")
    (tmp_path / "other.yaml").write_text("skips: ['B607']\n", "utf-8")
    (tmp_path / ".bandit").write_text("[bandit]\nconfigfile = bandit.yaml\n", "utf-8")

    assert discover(tmp_path).skips == ("B603",)
    assert discover(tmp_path, "other.yaml").skips == ("B607",)


@pytest.mark.parametrize(
    ("files", "explicit", "message"),
    [
        ({}, "missing.yaml", "'missing.yaml' named by the `config` setting does not exist"),
        ({"bandit.yaml": "skips: B101\n"}, "bandit.yaml", "skips must be a list"),
        ({"bandit.yaml": "[unclosed\n"}, "bandit.yaml", "bandit.yaml is invalid"),
        ({"pyproject.toml": "[tool.bandit\n"}, "", "pyproject.toml cannot be read"),
        ({".bandit": "no section\n"}, "", ".bandit cannot be read"),
        (
            {"pyproject.toml": '[tool.bandit]\ntests = ["B101"]\nskips = ["B101"]\n'},
            "",
            "both selects and skips: B101",
        ),
    ],
)
def test_a_broken_configuration_stops_the_check(
    tmp_path: Path, files: dict[str, str], explicit: str, message: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, "utf-8")

    with pytest.raises(CheckError, match=message):
        discover(tmp_path, explicit)


def test_the_digest_follows_the_config_content(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.bandit]\nskips = ["B101"]\n', "utf-8")
    first = discover(tmp_path).config_digest
    config.write_text('[tool.bandit]\nskips = ["B101"]\n[tool.bandit.assert_used]\n', "utf-8")

    assert discover(tmp_path).config_digest != first


@pytest.mark.parametrize(
    ("pattern", "path", "excluded"),
    [
        ("scripts", "scripts/run.py", True),
        ("./build/", "build/lib/a.py", True),
        ("*/generated/*", "src/generated/a.py", True),
        ("gen", "src/generated/a.py", True),
        ("docs", "src/app.py", False),
        ("./vendor", "vendor/lib.py", True),
        ("./vendor", "src/vendor/lib.py", False),
        ("vendor", "src/vendor/lib.py", True),
        ("./vendor", "vendored.py", True),
    ],
)
def test_excluded_paths_follow_bandits_glob_or_substring_rule(
    pattern: str, path: str, excluded: bool
) -> None:
    assert BanditSetup(excluded_paths=(pattern,)).excludes(path) is excluded


@pytest.mark.parametrize(
    ("targets", "path", "seen", "excluded"),
    [
        (("./src",), "src/vendor/a.py", "./src/vendor/a.py", False),
        (("src",), "src/vendor/a.py", "src/vendor/a.py", False),
        (("./src", "./vendor"), "vendor/a.py", "./vendor/a.py", True),
    ],
)
def test_excludes_match_the_paths_bandit_walks_from_the_ini_targets(
    targets: tuple[str, ...], path: str, seen: str, excluded: bool
) -> None:
    setup = BanditSetup(excluded_paths=("./vendor",), written_targets=targets)

    assert setup.bandit_path(path) == seen
    assert setup.excludes(path) is excluded
