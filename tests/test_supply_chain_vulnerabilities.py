"""The `vulnerabilities` check: offline OSV matching, ignores, caching, and failing closed."""

from __future__ import annotations

import datetime
import json
import os
import re
import socket
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.supply_chain import VulnerabilitiesCheck
from pytest_readiness.checks.supply_chain.vulnerabilities import (
    AdvisoryIgnore,
    VulnerabilitiesSettings,
)
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult
from pytest_readiness.settings import SettingsError, load_dataclass

TODAY = datetime.date.today()
NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def advisory(id_: str, name: str, fixed: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "modified": extra.pop("modified", NOW.isoformat()),
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
        **extra,
    }


ADVISORIES = [
    advisory(
        "GHSA-h75v-3vvj-5mfj",
        "jinja2",
        "3.1.4",
        aliases=["CVE-2024-34064"],
        summary="Jinja vulnerable to HTML attribute injection",
        database_specific={"severity": "MODERATE"},
    ),
    advisory("PYSEC-2099-7", "six", "1.17.0", summary="six is too old"),
]

REQUIREMENTS = "jinja2==3.1.3\nsix==1.16.0\nidna==3.7\n"


class Project:
    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "project"
        self.root.mkdir()
        self.cache = ContentCache(tmp_path / "cache")

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")

    def database(self, records: list[dict[str, Any]]) -> None:
        for item in records:
            self.write(f"advisories/{item['id']}.json", json.dumps(item))

    def run(self, **settings: Any) -> CheckResult:
        ctx = CheckContext(rootdir=self.root, files=ProjectFiles(self.root), cache=self.cache)
        return VulnerabilitiesCheck(VulnerabilitiesSettings(**settings)).run(ctx)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    made = Project(tmp_path)
    made.write("requirements.txt", REQUIREMENTS)
    made.database(ADVISORIES)
    return made


def test_offline_database_findings(project: Project) -> None:
    result = project.run(advisory_db="advisories")
    rows = [(f.rule, f.severity.value, f.path, f.line) for f in result.findings]
    assert rows == [
        ("known-vulnerability", "medium", "requirements.txt", 1),
        ("known-vulnerability", "high", "requirements.txt", 2),
    ]
    jinja = result.findings[0]
    assert jinja.message == (
        "jinja2 3.1.3: GHSA-h75v-3vvj-5mfj (CVE-2024-34064): Jinja vulnerable to HTML "
        "attribute injection; fixed in 3.1.4"
    )
    assert jinja.fix == "upgrade jinja2 to 3.1.4 and re-lock"
    assert result.metrics["packages_audited"] == 3
    assert result.metrics["vulnerabilities"] == 2
    assert result.metrics["advisory_db_age_days"] < 1
    assert result.summary == (
        "application (guessed: no [project] table, so not a distributed package); "
        "3 pinned package(s) audited (offline database: 2 record(s) (PyPI 2)), "
        "2 known vulnerability(ies), 0 ignored, 0 not audited"
    )


def test_ignores_need_to_be_current(project: Project) -> None:
    later = TODAY + datetime.timedelta(days=30)
    current = AdvisoryIgnore("CVE-2024-34064", "templates are not user-controlled", later)
    result = project.run(advisory_db="advisories", ignore=[current])
    assert [f.message.split(":")[0] for f in result.findings] == ["six 1.16.0"]
    assert result.metrics["ignored"] == 1
    expired = AdvisoryIgnore("PYSEC-2099-7", "waiting for a release", TODAY - datetime.timedelta(1))
    result = project.run(advisory_db="advisories", ignore=[current, expired])
    assert [f.rule for f in result.findings] == ["known-vulnerability", "expired-ignore"]
    assert "expired on" in result.findings[1].message


def test_ignore_without_reason_is_a_settings_error() -> None:
    raw = {"ignore": [{"id": "GHSA-x", "reason": " ", "expires": "2030-01-01"}]}
    with pytest.raises(SettingsError, match="non-empty `id` and `reason`"):
        load_dataclass(VulnerabilitiesSettings, raw, "tool.readiness.vulnerabilities")
    with pytest.raises(SettingsError, match=r"ignore\[0\]\.expires: required key is missing"):
        load_dataclass(
            VulnerabilitiesSettings,
            {"ignore": [{"id": "GHSA-x", "reason": "r"}]},
            "tool.readiness.vulnerabilities",
        )


def test_requirements_without_an_auditable_version_are_not_audited(project: Project) -> None:
    """A range beside a pin, `===` of a non-PEP 440 version, a VCS lock entry: each named."""
    project.write("requirements.txt", REQUIREMENTS + "requests==2.*\nweird===1.0-custom\n")
    project.write("requirements-dev.txt", "pytest>=8\n")
    project.write("uv.lock", 'version = 1\n[[package]]\nname = "fork"\nsource = { git = "x" }\n')
    result = project.run(advisory_db="advisories")
    gaps = [(f.severity.value, f.path, f.line, f.message) for f in result.findings[2:]]
    assert gaps == [
        ("high", "requirements.txt", 5, "weird could not be audited: ==1.0-custom is not a PEP "
         "440 version"),
        ("high", "uv.lock", 2, "fork could not be audited: comes from vcs, with no version to "
         "look up"),
        ("high", "requirements.txt", 4, "requests could not be audited: 'requests==2.*' is not "
         "resolved to one version by any lock or `==` pin"),
        ("medium", "requirements-dev.txt", 1, "1 requirement(s) in requirements-dev.txt could "
         "not be audited (no exact version): pytest"),
    ]  # fmt: skip
    assert {f.rule for f in result.findings[2:]} == {"not-audited"}
    assert result.metrics["packages_audited"] == 3
    assert result.metrics["not_audited"] == 4
    assert "3 pinned package(s) audited" in result.summary
    assert result.summary.endswith("2 known vulnerability(ies), 0 ignored, 4 not audited")
    fixed = project.run(advisory_db="advisories", first_party=["fork", "weird", "requests"])
    assert [f.rule for f in fixed.findings] == ["known-vulnerability"] * 2 + ["not-audited"]


def test_a_range_beside_a_pin_is_not_audited(project: Project) -> None:
    project.write("requirements.txt", "jinja2==3.1.3\nrequests==2.*\n")
    result = project.run(advisory_db="advisories")
    assert [(f.rule, f.severity.value, f.line) for f in result.findings] == [
        ("known-vulnerability", "medium", 1),
        ("not-audited", "high", 2),
    ]
    assert "1 pinned package(s) audited" in result.summary


def test_nothing_pinned_is_not_audited_and_nothing_declared_a_skip(project: Project) -> None:
    project.write("requirements.txt", "jinja2>=3\n")
    result = project.run(advisory_db="advisories")
    assert [(f.rule, f.severity.value) for f in result.findings] == [("not-audited", "high")]
    (project.root / "requirements.txt").unlink()
    with pytest.raises(CheckSkipped):
        project.run(advisory_db="advisories")


def test_a_library_without_a_lock_audits_its_test_environment(project: Project) -> None:
    """Declared runtime dependencies at the versions installed here; test extras are not."""
    (project.root / "requirements.txt").unlink()
    installed = metadata.version("packaging")
    project.database([advisory("PYSEC-2099-9", "packaging", "9999", summary="too old")])
    project.write(
        "pyproject.toml",
        """\
        [project]
        name = "tinylib"
        version = "1"
        dependencies = ["packaging>=20", "not-installed-anywhere>=1", "w32; sys_platform == 'nt'"]
        [project.optional-dependencies]
        test = ["also-not-installed>=1"]
        """,
    )
    result = project.run(advisory_db="advisories")
    assert [(f.rule, f.severity.value, f.line) for f in result.findings] == [
        ("known-vulnerability", "high", 4),
        ("not-audited", "medium", 4),
    ]
    assert result.findings[0].message.startswith(f"packaging {installed}: PYSEC-2099-9")
    assert result.findings[1].message == (
        "1 requirement(s) in pyproject.toml could not be audited (no exact version installed "
        "here): not-installed-anywhere"
    )
    assert result.summary.startswith(
        "library (guessed: a [project] package without lock, container or requirements.txt); "
        "0 pinned + 1 installed in the test environment (declared runtime dependencies, no lock) "
        "package(s) audited"
    )


def test_empty_npm_only_and_stale_databases_are_errors(project: Project) -> None:
    (project.root / "empty").mkdir()
    with pytest.raises(CheckError, match=r"^advisory database empty holds no PyPI records"):
        project.run(advisory_db="empty")
    npm = advisory("GHSA-npm", "left-pad", "2.0")
    npm["affected"][0]["package"]["ecosystem"] = "npm"
    project.write("npm/GHSA-npm.json", json.dumps(npm))
    with pytest.raises(CheckError, match=r"found 1 record\(s\) \(npm 1\)"):
        project.run(advisory_db="npm")
    old = advisory("PYSEC-OLD", "six", "1.17.0", modified="2020-01-01T00:00:00Z")
    project.write("old/PYSEC-OLD.json", json.dumps(old))
    with pytest.raises(CheckError) as caught:
        project.run(advisory_db="old", advisory_db_max_age_days=30)
    assert re.fullmatch(
        r"advisory database old is \d+ days old \(newest record modified 2020-01-01, limit 30 "
        r"days\); refresh it: `python -m pytest_readiness.advisories update old`; 1 finding\(s\) "
        r"among the audited ones",
        str(caught.value),
    )
    with pytest.raises(CheckError, match="days old"):
        project.run(advisory_db="old")


def test_turning_the_age_check_off_is_a_listed_risk(project: Project) -> None:
    old = advisory("PYSEC-OLD", "six", "1.0", modified="2020-01-01T00:00:00Z")
    project.write("old/PYSEC-OLD.json", json.dumps(old))
    result = project.run(advisory_db="old", advisory_db_max_age_days=0)
    ((rule, severity, message),) = [(f.rule, f.severity.value, f.message) for f in result.findings]
    assert (rule, severity) == ("advisory-age-unchecked", "medium")
    assert message.startswith("the age check of advisory database old is off")
    assert result.metrics["advisory_db_age_days"] > 365
    with pytest.raises(CheckError, match="advisory_db nowhere does not exist"):
        project.run(advisory_db="nowhere")


def test_results_are_cached_by_pinned_set(project: Project) -> None:
    project.run(advisory_db="advisories")
    entries = list((project.cache.directory or Path()).rglob("*.json"))
    assert len(entries) == 1
    broken = project.root / "advisories" / "GHSA-h75v-3vvj-5mfj.json"
    stamp = broken.stat()
    broken.write_text("{" * stamp.st_size, "utf-8")
    os.utime(broken, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    cached = project.run(advisory_db="advisories")
    assert cached.metrics["vulnerabilities"] == 2
    with pytest.raises(CheckError, match=r"^advisories/GHSA-h75v-3vvj-5mfj\.json:1: invalid JSON"):
        project.run(advisory_db="advisories", cache_ttl_hours=0)
    project.write("requirements.txt", "six==1.16.0\n")
    with pytest.raises(CheckError, match="invalid JSON"):
        project.run(advisory_db="advisories")


def test_a_foreign_cache_entry_is_ignored(project: Project) -> None:
    project.run(advisory_db="advisories")
    (entry,) = (project.cache.directory or Path()).rglob("*.json")
    entry.write_text('{"time": "yesterday", "audit": []}', "utf-8")
    assert project.run(advisory_db="advisories").metrics["vulnerabilities"] == 2


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_fails_closed_without_network(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Online audit with the network down: an error naming pip-audit, never a pass."""
    unreachable = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(CheckError, match="pip-audit"):
        project.run(osv_url=f"{unreachable}/v1/query", timeout_s=2)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, unreachable)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CheckError, match="pip-audit"):
        project.run(service="pypi", timeout_s=2)
    assert not list((project.cache.directory or Path()).rglob("*.json"))


def test_end_to_end_vulnerable_pin_blocks(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        '[project]\nname = "svc"\nversion = "1"\n\n'
        '[tool.readiness.vulnerabilities]\nadvisory_db = "advisories"\n'
    )
    pytester.makefile(".txt", requirements=REQUIREMENTS)
    (pytester.path / "advisories").mkdir()
    for item in ADVISORIES:
        (pytester.path / "advisories" / f"{item['id']}.json").write_text(json.dumps(item))
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    result = pytester.runpytest(
        "--readiness", "--readiness-select", "vulnerabilities", "--readiness-report", "r.json"
    )
    report = json.loads((pytester.path / "r.json").read_text("utf-8"))
    (check,) = [item for item in report["checks"] if item["id"] == "vulnerabilities"]
    assert check["outcome"] == "failed"
    assert check["metrics"]["vulnerabilities"] == 2
    assert report["verdict"] == "not-ready"
    assert result.ret != 0


def test_end_to_end_no_network_is_an_error_not_a_pass(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        '[project]\nname = "svc"\nversion = "1"\n\n'
        "[tool.readiness.vulnerabilities]\n"
        f'osv_url = "http://127.0.0.1:{closed_port()}/v1/query"\ntimeout_s = 2\n'
    )
    pytester.makefile(".txt", requirements="six==1.16.0\n")
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    result = pytester.runpytest(
        "--readiness", "--readiness-select", "vulnerabilities", "--readiness-report", "r.json"
    )
    report = json.loads((pytester.path / "r.json").read_text("utf-8"))
    (check,) = [item for item in report["checks"] if item["id"] == "vulnerabilities"]
    assert check["outcome"] == "error"
    assert "Connection refused" in check["error"]
    assert report["verdict"] == "not-ready"
    assert result.ret != 0
