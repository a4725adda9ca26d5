"""The safety rules end to end (issue cases 9, 10, 11, 13): reading and masking, every output.

Tokens are built at run time, so this repository's own secrets scan stays clean.
"""

from __future__ import annotations

import os
import random
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import read_report
from tests.secrets_samples import aws_key, github_token

TESTS = """
import pytest

GITHUB = {github!r}
AWS = {aws!r}


@pytest.mark.readiness(id="named", severity="low")
@pytest.mark.parametrize("value", [1], ids=[GITHUB])
def test_named(value):
    assert value == 1


@pytest.mark.readiness(id="message", severity="high")
def test_message():
    print("captured", GITHUB)
    assert False, f"the key is {{AWS}} and {{GITHUB}}"


def test_plain_failure():
    assert AWS == "", GITHUB
"""


def test_no_planted_token_reaches_any_output(
    sample_project: Callable[..., pytest.Pytester],
    monkeypatch: pytest.MonkeyPatch,
    not_an_xdist_worker: None,
) -> None:
    github, aws = github_token(random.Random(11)), aws_key(random.Random(12))
    pytester = sample_project(
        readiness='[tool.readiness.dependencies]\nkind = "application"\n',
        tests=textwrap.dedent(TESTS.format(github=github, aws=aws)),
        select=("secrets", "dependencies", "tests-pass"),
    )
    # A file named after a key, holding a token; an include naming a token.
    (pytester.path / f"{aws}.env").write_text(f"TOKEN={github}\n")
    (pytester.path / "requirements.txt").write_text(f"flask==3.0.0\n-r {github}.txt\n")
    summary = pytester.path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = pytester.runpytest(
        "--readiness",
        "--readiness-select=secrets,dependencies,tests-pass",
        "--readiness-report=out/r.json",
        "--readiness-markdown=out/r.md",
        "--readiness-sarif=out/r.sarif",
        "--junitxml=out/junit.xml",
        "-rA",
    )
    assert result.ret == 1
    outputs = {path.name: path.read_text("utf-8") for path in (pytester.path / "out").iterdir()}
    outputs["step summary"] = summary.read_text("utf-8")
    outputs["terminal"] = result.stdout.str() + result.stderr.str()
    assert set(outputs) == {"r.json", "r.md", "r.sarif", "junit.xml", "step summary", "terminal"}
    for name, text in outputs.items():
        for token in (github, aws):
            assert token not in text, f"{token[:4]}... leaks into {name}"
    # The places are still there, masked: the reader can tell what and where.
    assert "AKIA...(20 chars).env" in outputs["r.json"]
    assert "ghp_...(40 chars)" in outputs["r.json"]
    assert "::error" in outputs["terminal"]


def test_the_failure_text_of_a_check_item_is_masked(
    sample_project: Callable[..., pytest.Pytester], not_an_xdist_worker: None
) -> None:
    github = github_token(random.Random(21))
    pytester = sample_project(select=("dependencies",))
    (pytester.path / "requirements.txt").write_text(f"-r {github}.txt\n")
    result = pytester.runpytest(
        "--readiness", "--readiness-select=dependencies", "--junitxml=junit.xml"
    )
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*included file ghp_...(40 chars).txt does not exist*"])
    assert github not in result.stdout.str()
    assert github not in Path(pytester.path / "junit.xml").read_text("utf-8")


OUTPUT_FLAGS = (
    "--readiness-report=out/r.json",
    "--readiness-markdown=out/r.md",
    "--readiness-sarif=out/r.sarif",
    "--junitxml=out/junit.xml",
)


def every_output(pytester: pytest.Pytester, result: pytest.RunResult) -> str:
    texts = [path.read_text("utf-8") for path in (pytester.path / "out").iterdir()]
    return "\n".join([*texts, result.stdout.str(), result.stderr.str()])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("requirements.txt", "flask==3.0.0\n-r /proc/self/environ\n"),
        ("requirements.txt", "flask==3.0.0\n-r link/outside.txt\n"),
        ("Makefile", "install:\n\tpip install -r /proc/self/environ\n"),
    ],
    ids=["proc-environ", "symlink", "makefile"],
)
def test_reading_stays_inside_the_project(
    sample_project: Callable[..., pytest.Pytester],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    text: str,
) -> None:
    """Case 9: an include outside the project is refused, never read, never quoted."""
    github = github_token(random.Random(31))
    pytester = sample_project(select=("dependencies",))
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "outside.txt").write_text(f"leaked=={github}\n")
    (pytester.path / "link").symlink_to(elsewhere)
    (pytester.path / name).write_text(text)
    monkeypatch.setenv("DEPLOY_TOKEN", github)
    monkeypatch.setenv("PLAIN_VALUE", "environ-must-stay-unread")
    result = pytester.runpytest_subprocess(
        "--readiness", "--readiness-select=dependencies", *OUTPUT_FLAGS, timeout=120
    )
    everything = every_output(pytester, result)
    assert github not in everything
    assert "environ-must-stay-unread" not in everything
    (check,) = read_report(pytester.path / "out/r.json")["checks"]
    if name == "requirements.txt":
        assert check["outcome"] == "error"
        assert check["summary"].startswith("could not run: requirements.txt:2: `-r ")
        assert "outside the project" in check["summary"]
    else:
        # The gate cannot see the file, so the install counts as unpinned, on its own line.
        (finding,) = [f for f in check["findings"] if "/proc/self/environ" in f["message"]]
        assert (finding["path"], finding["line"]) == (name, 2)
        assert finding["message"].startswith("`/proc/self/environ` is installed without an")


LIMITED = """
[tool.readiness]
max_file_bytes = 4000
max_line_bytes = 500
"""
SCANNERS = ("timeouts", "bandit", "logging", "secrets")


def test_every_scanner_reports_the_files_over_the_caps(
    sample_project: Callable[..., pytest.Pytester],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    not_an_xdist_worker: None,
) -> None:
    """Case 11: one cap for every check; what is over it is listed, never silently dropped."""
    # bandit's plugin loader caches under ~/.cache, and pytester's HOME is the project.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    pytester = sample_project(readiness=LIMITED, select=SCANNERS)
    app = pytester.mkpydir("app")
    (app / "ok.py").write_text("import requests\n\nrequests.get('http://x', timeout=3)\n")
    (app / "big.py").write_text("import requests\n" + "requests.get('http://x')\n" * 400)
    (app / "long.py").write_text("VALUE = '" + "a" * 1000 + "'\n")
    os.mkfifo(app / "fifo.py")
    result = pytester.runpytest(
        "--readiness", f"--readiness-select={','.join(SCANNERS)}", "--readiness-report=r.json"
    )
    checks = {check["id"]: check for check in read_report(pytester.path / "r.json")["checks"]}
    assert set(checks) == set(SCANNERS), result.stdout.str()
    for check_id, check in checks.items():
        assert check["metrics"]["files_over_cap"] == 2, check["summary"]
        assert "app/big.py" in check["summary"], check_id
        assert "app/long.py" in check["summary"], check_id
        assert "4,000 bytes per file, 500 per line" in check["summary"], check_id
    # The unbounded call in big.py is not reported: that file was not read.
    assert not [f for f in checks["timeouts"]["findings"] if f["path"] == "app/big.py"]


def test_a_utf16_file_with_a_key_is_scanned(
    sample_project: Callable[..., pytest.Pytester], not_an_xdist_worker: None
) -> None:
    """Case 13: text with a UTF-16 byte order mark is decoded, not skipped as binary."""
    key = aws_key(random.Random(41))
    pytester = sample_project(select=("secrets",))
    (pytester.path / "settings.py").write_text(f'key_id = "{key}"\n', "utf-16")
    result = pytester.runpytest("--readiness", "--readiness-select=secrets", *OUTPUT_FLAGS)
    assert result.ret == 1
    report = read_report(pytester.path / "out/r.json")
    assert report["verdict"] == "not-ready"
    (check,) = report["checks"]
    assert [(f["path"], f["line"], f["rule"]) for f in check["findings"]] == [
        ("settings.py", 1, "aws-access-key-id")
    ]
    assert key not in every_output(pytester, result)
