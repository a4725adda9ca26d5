"""CI outputs: `publish` on its own, then whole `pytest --readiness` runs that produce them all."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pytest_readiness.reporting.ci import STEP_SUMMARY_LIMIT, publish
from pytest_readiness.reporting.json_report import SCHEMA_FILE
from pytest_readiness.reporting.markdown import render_markdown
from pytest_readiness.reporting.sarif import FINGERPRINT_KEY, render_sarif
from tests.reporting_samples import DATA, load_sample

SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
PLANTED_SECRET = (
    "sk_live_" + "9f8e7d6c5b4a3f2e" * 2
)  # built at run time: no scanner flags this file


@pytest.fixture
def report() -> dict[str, Any]:
    return load_sample()


class Printed(list[str]):
    """Stands in for the terminal: collects what `publish` prints."""

    def __call__(self, line: str) -> None:
        self.append(line)


def run_publish(
    report: dict[str, Any],
    environ: dict[str, str],
    markdown_path: Path | None = None,
    sarif_path: Path | None = None,
) -> Printed:
    printed = Printed()
    publish(
        report,
        markdown_path=markdown_path,
        sarif_path=sarif_path,
        environ=environ,
        write_line=printed,
        tool_version="9.9.9",
    )
    return printed


def test_the_shared_sample_is_a_valid_report(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text("utf-8"))).validate(report)


def test_files_are_written_where_asked(report: dict[str, Any], tmp_path: Path) -> None:
    markdown_path = tmp_path / "out" / "summary.md"
    sarif_path = tmp_path / "out" / "deep" / "readiness.sarif"
    printed = run_publish(report, {}, markdown_path, sarif_path)
    assert markdown_path.read_text("utf-8") == render_markdown(report)
    assert json.loads(sarif_path.read_text("utf-8")) == render_sarif(report, "9.9.9")
    assert printed == []


def test_nothing_is_written_unless_asked(report: dict[str, Any], tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    printed = run_publish(report, {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "false"})
    assert printed == []
    assert list(tmp_path.iterdir()) == []


def test_the_step_summary_gets_the_markdown_appended(
    report: dict[str, Any], tmp_path: Path
) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("# Earlier step output\n", "utf-8")
    run_publish(report, {"GITHUB_STEP_SUMMARY": str(summary)}, markdown_path=tmp_path / "m.md")
    assert summary.read_text("utf-8") == "# Earlier step output\n\n" + render_markdown(report)


def test_the_step_summary_stays_within_its_mebibyte(report: dict[str, Any], tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_bytes(b"x" * (STEP_SUMMARY_LIMIT - 1_500))
    run_publish(report, {"GITHUB_STEP_SUMMARY": str(summary)}, markdown_path=tmp_path / "m.md")
    assert summary.stat().st_size <= STEP_SUMMARY_LIMIT
    appended = summary.read_bytes()[STEP_SUMMARY_LIMIT - 1_500 :].decode("utf-8")
    assert "## ❌ Readiness: not-ready" in appended
    assert "not shown" in appended
    assert "not shown" not in (tmp_path / "m.md").read_text("utf-8"), "the file is whole"


@pytest.mark.parametrize("value", [None, "false", "1", "TRUE"])
def test_annotations_need_github_actions_true(report: dict[str, Any], value: str | None) -> None:
    environ = {} if value is None else {"GITHUB_ACTIONS": value}
    assert run_publish(report, environ) == []


def test_annotations_are_printed_on_github_actions(report: dict[str, Any]) -> None:
    printed = run_publish(report, {"GITHUB_ACTIONS": "true"})
    assert printed[0].startswith("::error title=readiness waiver expired::")
    assert printed[1].startswith("::error file=config/settings.py,line=12,")
    assert sum(line.startswith("::warning ") for line in printed) == 4


# A third-party check registered in a conftest.py: it finds a planted secret (reported masked,
# as the contract demands) and one more finding of every severity, one of them waived.
LEAKY_CONFTEST = """
import hashlib

from pytest_readiness import Category, Check, CheckResult, Severity


class LeakyCheck(Check):
    id = "leaky"
    category = Category.SECURITY
    severity = Severity.HIGH
    description = "finds a planted secret and one problem of every severity"

    def run(self, ctx):
        lines = (ctx.rootdir / "settings.py").read_text().splitlines()
        number, secret = next(
            (index + 1, line.split('"')[1]) for index, line in enumerate(lines) if "TOKEN" in line
        )
        digest = hashlib.sha256(secret.encode()).hexdigest()
        findings = [
            self.finding("planted-secret", f"token {secret[:4]}... ({len(secret)} characters)",
                         severity=Severity.CRITICAL, path="settings.py", line=number,
                         fix="move it to the environment", key=digest),
            self.finding("high-rule", "a high problem", severity=Severity.HIGH,
                         path="src/app.py", line=2),
            self.finding("medium-rule", "a medium problem: 100% sure, really",
                         severity=Severity.MEDIUM, path="src/app.py", line=3, column=4),
            self.finding("low-rule", "a low problem", severity=Severity.LOW,
                         path="src/app.py", line=4),
            self.finding("waived-rule", "an accepted problem", severity=Severity.HIGH,
                         path="src/app.py", line=5),
            self.finding("nowhere-rule", "a project-wide problem", severity=Severity.MEDIUM),
        ]
        return CheckResult(findings=findings, summary=f"{len(findings)} finding(s)")


def pytest_readiness_checks():
    return [LeakyCheck]
"""

LEAKY_PYPROJECT = """
[project]
name = "sample"
version = "1.0"

[[tool.readiness.waivers]]
check = "leaky"
rule = "waived-rule"
reason = "accepted until the rewrite"
expires = "2099-12-31"
"""

OUTPUT_FLAGS = [
    "--readiness",
    "--readiness-select",
    "leaky",
    "--readiness-markdown",
    "m.md",
    "--readiness-sarif",
    "s.sarif",
    "--readiness-report",
    "r.json",
    "--junitxml",
    "j.xml",
]


@pytest.fixture
def leaky_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyprojecttoml(LEAKY_PYPROJECT)
    pytester.makeconftest(LEAKY_CONFTEST)
    pytester.makepyfile(test_sample="def test_ok():\n    assert True\n")
    pytester.path.joinpath("settings.py").write_text(f'TOKEN = "{PLANTED_SECRET}"\n', "utf-8")
    pytester.mkpydir("src").joinpath("app.py").write_text("\n".join(["x = 1"] * 6) + "\n", "utf-8")
    return pytester


def outputs(pytester: pytest.Pytester) -> dict[str, str]:
    names = ("m.md", "s.sarif", "r.json", "j.xml")
    return {name: pytester.path.joinpath(name).read_text("utf-8") for name in names}


def test_a_gated_run_writes_every_output(leaky_project: pytest.Pytester) -> None:
    result = leaky_project.runpytest(*OUTPUT_FLAGS)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    files = outputs(leaky_project)
    report = json.loads(files["r.json"])
    assert report["verdict"] == "not-ready"

    markdown = files["m.md"]
    assert markdown.startswith("## ❌ Readiness: not-ready\n")
    assert "| Check | Category | Severity | Outcome | Findings | Summary | Time |" in markdown
    assert "| `leaky` | security | high | ❌ failed | 5 (+1 waived) | 6 finding(s) |" in markdown
    assert "**critical** `leaky/planted-secret` at `settings.py:1`" in markdown
    assert (
        "| `leaky` | `waived-rule` | any | accepted until the rewrite | 2099-12-31 | in force | 1 |"
        in markdown
    )

    sarif = json.loads(files["s.sarif"])
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert {result["level"] for result in results} == {"error", "warning", "note"}
    assert len(results) == 5, "every finding with a file and line, the waived one suppressed"
    fingerprints = {f["fingerprint"] for f in report["checks"][0]["findings"] if f["line"]}
    assert {r["partialFingerprints"][FINGERPRINT_KEY] for r in results} == fingerprints
    assert [r["ruleId"] for r in results if "suppressions" in r] == ["leaky/waived-rule"]

    for name, text in {**files, "stdout": result.stdout.str()}.items():
        assert PLANTED_SECRET not in text, f"the secret leaked into {name}"
        assert PLANTED_SECRET[:5] not in text, f"more than four characters leaked into {name}"
    assert "::error" not in result.stdout.str(), "no annotations outside GitHub Actions"


def junit_properties(xml: str) -> dict[str, dict[str, str]]:
    cases = ET.fromstring(xml).iter("testcase")
    return {
        case.get("name", ""): {
            prop.get("name", ""): prop.get("value", "") for prop in case.iter("property")
        }
        for case in cases
    }


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["single", "xdist"])
def test_junit_xml_carries_the_check_properties(
    leaky_project: pytest.Pytester, workers: list[str]
) -> None:
    leaky_project.runpytest(*OUTPUT_FLAGS, *workers)
    properties = junit_properties(leaky_project.path.joinpath("j.xml").read_text("utf-8"))
    assert properties["leaky"]["readiness.severity"] == "high"
    assert properties["leaky"]["readiness.category"] == "security"
    assert properties["leaky"]["readiness.findings"] == "5"
    assert "readiness.severity" not in properties["test_ok"]


def test_annotations_appear_under_github_actions(
    leaky_project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = leaky_project.path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = leaky_project.runpytest(*OUTPUT_FLAGS)
    stdout = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "::error file=settings.py,line=1,title=readiness leaky/planted-secret (critical)::*",
            "::error file=src/app.py,line=2,title=readiness leaky/high-rule (high)::a high problem",
        ]
    )
    assert (
        "::warning file=src/app.py,line=3,col=4,title=readiness leaky/medium-rule (medium)::"
        "a medium problem: 100%25 sure, really" in stdout
    )
    assert "waived-rule" not in "\n".join(
        line for line in stdout.splitlines() if line.startswith("::")
    )
    assert summary.read_text("utf-8") == leaky_project.path.joinpath("m.md").read_text("utf-8")
    assert PLANTED_SECRET not in stdout + summary.read_text("utf-8")


def test_no_output_holds_the_secret_the_builtin_check_finds(
    leaky_project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = leaky_project.path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    flags = [flag if flag != "leaky" else "leaky,secrets" for flag in OUTPUT_FLAGS]
    result = leaky_project.runpytest(*flags)
    report = json.loads(leaky_project.path.joinpath("r.json").read_text("utf-8"))
    secrets = next(check for check in report["checks"] if check["id"] == "secrets")
    assert [(f["path"], f["line"]) for f in secrets["findings"]] == [("settings.py", 1)]
    texts = {**outputs(leaky_project), "summary": summary.read_text("utf-8")}
    texts["stdout"] = result.stdout.str()
    assert "::error file=settings.py,line=1" in texts["stdout"]
    for name, text in texts.items():
        assert PLANTED_SECRET not in text, f"the secret leaked into {name}"
