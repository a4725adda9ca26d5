"""The offline OSV database: loading directories and zips, and the schema's matching rules."""

from __future__ import annotations

import datetime
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from pytest_readiness.check import CheckError
from pytest_readiness.checks.supply_chain.osv import (
    Unmatchable,
    database_fingerprint,
    in_range,
    load_database,
)
from pytest_readiness.model import Severity


def record(id_: str, name: str, events: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "schema_version": "1.6.0",
        "id": id_,
        "modified": "2026-11-01T12:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
                "versions": extra.pop("versions", []),
            }
        ],
        **extra,
    }


RECORDS = [
    record(
        "GHSA-aaaa-bbbb-cccc",
        "Jinja2",
        [{"introduced": "0"}, {"fixed": "3.1.4"}],
        aliases=["CVE-2024-34064"],
        summary="Jinja vulnerable to HTML attribute injection\nmore text",
        database_specific={"severity": "MODERATE"},
    ),
    record("PYSEC-2099-1", "jinja2", [{"introduced": "3.1.5"}, {"last_affected": "3.1.6"}],
           details="Second advisory, details only"),
    record("PYSEC-2099-2", "jinja2", [{"introduced": "0"}], withdrawn="2026-10-01T00:00:00Z"),
    record("OSV-LISTED", "six", [], versions=["1.16.0", "not a version"]),
]  # fmt: skip


def write_directory(root: Path, records: list[dict[str, Any]]) -> Path:
    directory = root / "advisories"
    (directory / "nested").mkdir(parents=True)
    for index, item in enumerate(records):
        target = directory / ("nested" if index % 2 else "") / f"{item['id']}.json"
        target.write_text(json.dumps(item, indent=2), "utf-8")
    return directory


def test_directory_database_matches_by_canonical_name(tmp_path: Path) -> None:
    database = load_database(write_directory(tmp_path, RECORDS), tmp_path)
    assert database.records == 4
    assert database.newest == datetime.datetime(2026, 11, 1, 12, tzinfo=datetime.UTC)
    (advisory,) = database.match("jinja2", "3.1.3")
    assert advisory.id == "GHSA-aaaa-bbbb-cccc"
    assert advisory.aliases == ("CVE-2024-34064",)
    assert advisory.summary == "Jinja vulnerable to HTML attribute injection"
    assert advisory.fixed == ("3.1.4",)
    assert advisory.severity is Severity.MEDIUM
    assert database.match("Jinja2", "3.1.4") == []
    (second,) = database.match("JINJA2", "3.1.6")
    assert (second.id, second.summary, second.fixed, second.severity) == (
        "PYSEC-2099-1", "Second advisory, details only", (), None
    )  # fmt: skip
    assert database.match("jinja2", "3.1.7") == []
    assert [a.id for a in database.match("six", "1.16")] == ["OSV-LISTED"]
    assert database.match("six", "1.15.0") == []
    assert database.match("unknown", "1.0") == []


def test_osv_scanner_offline_layout_and_plain_zip(tmp_path: Path) -> None:
    bundle = tmp_path / "cache" / "osv-scanner" / "PyPI" / "all.zip"
    bundle.parent.mkdir(parents=True)
    with zipfile.ZipFile(bundle, "w") as archive:
        for item in RECORDS:
            archive.writestr(f"{item['id']}.json", json.dumps(item))
    for path in (tmp_path / "cache", bundle.parent.parent, bundle):
        database = load_database(path, tmp_path)
        assert [a.id for a in database.match("jinja2", "2.0")] == ["GHSA-aaaa-bbbb-cccc"]
    before = database_fingerprint(bundle)
    with zipfile.ZipFile(bundle, "a") as archive:
        archive.writestr("extra.json", json.dumps(record("X-1", "six", [{"introduced": "0"}])))
    assert database_fingerprint(bundle) != before


def npm_record(id_: str) -> dict[str, Any]:
    npm = record(id_, "jinja2", [{"introduced": "0"}])
    npm["affected"][0]["package"]["ecosystem"] = "npm"
    return npm


def test_other_ecosystems_are_counted_and_ignored(tmp_path: Path) -> None:
    records = [npm_record("GHSA-npm"), record("PYSEC-1", "six", [{"introduced": "0"}])]
    database = load_database(write_directory(tmp_path, records), tmp_path)
    assert database.match("jinja2", "1.0") == []
    assert database.describe() == "2 record(s) (PyPI 1, npm 1)"


def test_a_database_without_pypi_records_is_an_error(tmp_path: Path) -> None:
    """An empty folder or another ecosystem's export must not audit everything as clean."""
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("# nothing here\n", "utf-8")
    with pytest.raises(CheckError) as caught:
        load_database(empty, tmp_path)
    assert str(caught.value) == (
        "advisory database empty holds no PyPI records (found no advisory records): "
        "point `advisory_db` at OSV's PyPI export"
    )
    npm_only = write_directory(tmp_path / "npm", [npm_record("GHSA-1"), npm_record("GHSA-2")])
    with pytest.raises(CheckError, match=r"no PyPI records \(found 2 record\(s\) \(npm 2\)\)"):
        load_database(npm_only, tmp_path)


PYPA_RECORD = """\
id: PYSEC-2019-217
details: In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.
affected:
- package:
    name: jinja2
    ecosystem: PyPI
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: "0"
    - fixed: 2.10
aliases:
- CVE-2019-10906
modified: "2021-11-22T04:57:52.862665Z"
"""


def test_pypa_and_github_advisory_database_layouts(tmp_path: Path) -> None:
    """pypa/advisory-database is YAML under vulns/; github/advisory-database nests OSV JSON."""
    pypa = tmp_path / "pypa"
    (pypa / "vulns" / "jinja2").mkdir(parents=True)
    (pypa / "vulns" / "jinja2" / "PYSEC-2019-217.yaml").write_text(PYPA_RECORD, "utf-8")
    (pypa / ".github" / "workflows").mkdir(parents=True)
    (pypa / ".github" / "workflows" / "ci.yml").write_text("on: push\n", "utf-8")
    database = load_database(pypa, tmp_path)
    assert database.describe() == "1 record(s) (PyPI 1)"
    (advisory,) = database.match("jinja2", "2.9.6")
    assert (advisory.id, advisory.fixed) == ("PYSEC-2019-217", ("2.10",))
    assert database.match("jinja2", "2.10") == []
    assert database.newest == datetime.datetime(
        2021, 11, 22, 4, 57, 52, 862665, tzinfo=datetime.UTC
    )
    github = tmp_path / "github" / "advisories" / "github-reviewed" / "2023" / "07"
    (github / "GHSA-aaaa-bbbb-cccc").mkdir(parents=True)
    (github / "GHSA-aaaa-bbbb-cccc" / "GHSA-aaaa-bbbb-cccc.json").write_text(
        json.dumps(RECORDS[0]), "utf-8"
    )
    database = load_database(tmp_path / "github", tmp_path)
    assert [a.severity for a in database.match("jinja2", "3.1.3")] == [Severity.MEDIUM]
    (pypa / "vulns" / "jinja2" / "PYSEC-BAD.yml").write_text("id: [unclosed\n", "utf-8")
    with pytest.raises(CheckError, match=r"^pypa/vulns/jinja2/PYSEC-BAD\.yml:2: invalid YAML"):
        load_database(pypa, tmp_path)


def test_unorderable_versions_are_never_clean(tmp_path: Path) -> None:
    broken = record("PYSEC-BAD", "pkg", [{"introduced": "1.0"}, {"fixed": "2.0-final-build-x"}])
    database = load_database(write_directory(tmp_path, [broken]), tmp_path)
    with pytest.raises(Unmatchable, match="PYSEC-BAD has range version"):
        database.match("pkg", "1.5")
    with pytest.raises(Unmatchable, match="not a PEP 440 version"):
        database.match("pkg", "2.*")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{\n  "id": "X",\n  "affected": [\n', "bad.json:4: invalid JSON"),
        ('{"summary": "no id"}', "bad.json:1: not an OSV record"),
        ('["a list"]', "bad.json:1: not an OSV record"),
        ('{"id": "X", "modified": "yesterday"}', "bad.json:1: `modified` is not an RFC 3339"),
        ('{"id": "X", "affected": {"package": {}}}', "bad.json:1: `affected` must be a list"),
    ],
)
def test_malformed_records_name_the_file(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.json").write_text(content, "utf-8")
    with pytest.raises(CheckError) as caught:
        load_database(tmp_path, tmp_path)
    assert str(caught.value).startswith(message)


def test_missing_database_and_broken_zip(tmp_path: Path) -> None:
    with pytest.raises(CheckError, match="does not exist"):
        load_database(tmp_path / "nowhere", tmp_path)
    (tmp_path / "all.zip").write_bytes(b"not a zip")
    with pytest.raises(CheckError, match=r"^all\.zip: unreadable zip"):
        load_database(tmp_path / "all.zip", tmp_path)


boundaries = st.lists(st.integers(0, 40), min_size=0, max_size=8, unique=True).map(sorted)


@given(bounds=boundaries, probe=st.integers(0, 45), minor=st.integers(0, 3), data=st.data())
def test_range_walk_agrees_with_interval_membership(
    bounds: list[int], probe: int, minor: int, data: st.DataObject
) -> None:
    """Pairs of sorted boundaries are [introduced, fixed) intervals; an odd tail is open-ended.

    Events are handed over shuffled: the walk must sort them itself.
    """
    events: list[dict[str, str]] = []
    intervals: list[tuple[int, int | None]] = []
    for index in range(0, len(bounds), 2):
        low = bounds[index]
        high = bounds[index + 1] if index + 1 < len(bounds) else None
        events.append({"introduced": "0" if low == 0 else f"{low}.0"})
        if high is not None:
            events.append({"fixed": f"{high}.0"})
        intervals.append((low, high))
    shuffled = data.draw(st.permutations(events))
    version = Version(f"{probe}.{minor}")
    expected = any(
        Version(f"{low}.0") <= version and (high is None or version < Version(f"{high}.0"))
        for low, high in intervals
    )
    assert in_range(list(shuffled), version, "T") is expected


@given(low=st.integers(0, 20), width=st.integers(0, 10), probe=st.integers(0, 35))
def test_last_affected_is_inclusive_and_fixed_exclusive(low: int, width: int, probe: int) -> None:
    high = low + width
    version = Version(f"{probe}")
    inclusive = [{"introduced": str(low)}, {"last_affected": str(high)}]
    exclusive = [{"introduced": str(low)}, {"fixed": str(high)}]
    assert in_range(inclusive, version, "T") is (low <= probe <= high)
    assert in_range(exclusive, version, "T") is (low <= probe < high)


@given(probe=st.integers(0, 9), pre=st.sampled_from(["a1", "b2", "rc1", ".dev0", ".post1", ""]))
def test_prereleases_order_as_pep_440_says(probe: int, pre: str) -> None:
    version = Version(f"{probe}.0{pre}")
    events = [{"introduced": "0"}, {"fixed": "5.0"}]
    assert in_range(events, version, "T") is (version < Version("5.0"))


def test_severity_from_cvss_vector_when_no_word(tmp_path: Path) -> None:
    cvss = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
    scored = record("PYSEC-CVSS", "pkg", [{"introduced": "0"}], severity=cvss)
    unscored = record(
        "PYSEC-NONE",
        "other",
        [{"introduced": "0"}],
        severity=[{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N"}],
    )
    database = load_database(write_directory(tmp_path, [scored, unscored]), tmp_path)
    assert [a.severity for a in database.match("pkg", "1.0")] == [Severity.CRITICAL]
    assert [a.severity for a in database.match("other", "1.0")] == [None]
