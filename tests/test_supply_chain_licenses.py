"""The `licenses` check: licences read from installed metadata, judged by allow, deny and the
project's own licence; SPDX parsing and the compatibility rules."""

from __future__ import annotations

import json
import textwrap
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckSkipped
from pytest_readiness.checks.supply_chain.license_metadata import read_license
from pytest_readiness.checks.supply_chain.licenses import LicensesCheck, LicensesSettings
from pytest_readiness.checks.supply_chain.spdx import compatible, family, parse
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult
from pytest_readiness.settings import SettingsError, load_dataclass


def install(site: Path, name: str, version: str, *headers: tuple[str, str]) -> None:
    """A distribution as pip leaves it: `NAME-VERSION.dist-info/METADATA` on sys.path."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}"]
    lines += [f"{key}: {value}" for key, value in headers]
    (info / "METADATA").write_text("\n".join(lines) + "\n", "utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    install(folder, "mit-dep", "1.0", ("License-Expression", "MIT"), ("Requires-Dist", "sub-dep"))
    install(folder, "sub-dep", "2.0", ("Classifier", "License :: OSI Approved :: BSD License"))
    install(folder, "gpl-dep", "3.1", ("Classifier", "License :: OSI Approved :: GNU General "
            "Public License v3 (GPLv3)"))  # fmt: skip
    install(folder, "mystery-dep", "0.4", ("License", "Company internal, ask legal"))
    monkeypatch.syspath_prepend(str(folder))
    return folder


LIBRARY = """\
[project]
name = "tinylib"
version = "1.0"
license = "MIT"
dependencies = ["mit-dep>=1", "gpl-dep>=3", "mystery-dep"]

[project.optional-dependencies]
test = ["pytest-only-in-tests"]
"""


def run(root: Path, files: dict[str, str], **settings: Any) -> CheckResult:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), "utf-8")
    ctx = CheckContext(rootdir=root, files=ProjectFiles(root), cache=ContentCache(None))
    return LicensesCheck(LicensesSettings(**settings)).run(ctx)


def test_gpl_and_unknown_dependencies_of_an_mit_library(site: Path, tmp_path: Path) -> None:
    """The sample the issue names: a GPL, an unknown and an MIT dependency give two findings."""
    root = tmp_path / "project"
    result = run(root, {"pyproject.toml": LIBRARY})
    rows = [(f.rule, f.severity.value, f.path, f.line) for f in result.findings]
    assert rows == [
        ("license-incompatible", "high", "pyproject.toml", 5),
        ("license-unknown", "high", "pyproject.toml", 5),
    ]
    gpl, unknown = (finding.message for finding in result.findings)
    assert gpl == (
        "gpl-dep 3.1 is licensed GPL-3.0-only (classifiers of the installed 3.1), which a "
        "project licensed MIT cannot depend on"
    )
    assert unknown == (
        "mystery-dep 0.4: licence unknown: 'Company internal, ask legal' (License of the "
        "installed 0.4) is not an SPDX expression or a known licence name"
    )
    assert result.metrics == {"distributions": 4.0, "unknown": 1.0}
    assert "4 distribution(s)" in result.summary
    assert "compatibility with the project's MIT checked" in result.summary


def test_an_application_is_judged_by_allow_and_deny_only(site: Path, tmp_path: Path) -> None:
    files = {"pyproject.toml": LIBRARY, "requirements.txt": "mit-dep==1.0\ngpl-dep==3.1\n"}
    result = run(tmp_path / "app", files)
    assert result.summary.startswith("application (guessed from requirements.txt")
    assert [f.rule for f in result.findings] == ["license-unknown"]
    denied = run(tmp_path / "deny", files, deny=["GPL-*"], allow=["MIT", "BSD-3-Clause"])
    assert [(f.rule, f.path, f.line) for f in denied.findings] == [
        ("license-denied", "requirements.txt", 2),
        ("license-not-allowed", "requirements.txt", 2),
        ("license-unknown", "pyproject.toml", 5),
    ]
    assert "(classifiers of the installed 3.1), which `deny` lists" in denied.findings[0].message
    assert run(tmp_path / "never", {"pyproject.toml": LIBRARY}, compatibility="never").findings[
        0
    ].rule == ("license-unknown")


def test_transitive_and_missing_distributions(site: Path, tmp_path: Path) -> None:
    files = {
        "pyproject.toml": LIBRARY.replace('"gpl-dep>=3", "mystery-dep"', '"not-installed>=1"'),
    }
    result = run(tmp_path / "p", files, allow=["MIT"])
    assert [(f.rule, f.message) for f in result.findings] == [
        ("license-not-allowed", "sub-dep 2.0 is licensed BSD-3-Clause (classifiers of the "
         "installed 2.0; required by mit-dep), which `allow` does not list"),
        ("license-unknown", "1 distribution(s) not installed in the test environment, so "
         "their licences cannot be read: not-installed"),
    ]  # fmt: skip


def test_nothing_to_check_is_skipped(tmp_path: Path) -> None:
    with pytest.raises(CheckSkipped):
        run(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nversion = "1"\n'})


def test_policy_entries_must_be_spdx_ids_or_globs() -> None:
    key = "tool.readiness.licenses"
    assert load_dataclass(LicensesSettings, {"deny": ["AGPL-*", "gpl-3.0-only"]}, key)
    with pytest.raises(SettingsError, match="deny: 'GPLv3' is not an SPDX licence id"):
        load_dataclass(LicensesSettings, {"deny": ["GPLv3"]}, key)
    with pytest.raises(SettingsError, match=r"allow: 'MIT OR Apache-2\.0' is not an SPDX"):
        load_dataclass(LicensesSettings, {"allow": ["MIT OR Apache-2.0"]}, key)


def metadata(**fields: str | list[str]) -> Message:
    message = Message()
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            message[key.replace("_", "-")] = item
    return message


@pytest.mark.parametrize(
    ("fields", "source", "expected"),
    [
        ({"License_Expression": "Apache-2.0 OR BSD-3-Clause", "License": "BSD"},
         "License-Expression", "Apache-2.0 OR BSD-3-Clause"),
        ({"Classifier": ["License :: OSI Approved", "License :: OSI Approved :: MIT License",
                         "License :: OSI Approved :: Apache Software License"]},
         "classifiers", "Apache-2.0 AND MIT"),
        ({"Classifier": ["License :: Other/Proprietary License"], "License": "Apache 2.0"},
         "License", "Apache-2.0"),
        ({"License": "The MIT License (MIT)"}, "License", "MIT"),
        ({"License": "new BSD"}, "License", "BSD-3-Clause"),
        ({"License": "MPL-2.0"}, "License", "MPL-2.0"),
        ({"License": "Copyright (c) 2020 X\n\nPermission is hereby granted, free of charge, to"},
         "License", "MIT"),
        ({"License": "UNKNOWN"}, "none", None),
        ({"Classifier": ["License :: Other/Proprietary License"]}, "classifiers", None),
        ({"License_Expression": "MIT AND Fancy-1.0"}, "License-Expression", None),
    ],
)  # fmt: skip
def test_where_a_licence_is_read(
    fields: dict[str, str | list[str]], source: str, expected: str | None
) -> None:
    reading = read_license(metadata(**fields))  # type: ignore[arg-type]
    assert reading.source == source
    assert (reading.expression.text if reading.expression else None) == expected


@pytest.mark.parametrize(
    ("project", "dependency", "ok"),
    [
        ("MIT", "Apache-2.0", True),
        ("MIT", "LGPL-3.0-or-later", True),
        ("MIT", "GPL-3.0-only", False),
        ("Apache-2.0", "AGPL-3.0-only", False),
        ("MIT", "GPL-2.0-only WITH Classpath-exception-2.0", True),
        ("GPL-3.0-or-later", "GPL-2.0-or-later", True),
        ("GPL-3.0-only", "Apache-2.0", True),
        ("GPL-3.0-only", "AGPL-3.0-only", True),
        ("GPL-2.0-only", "Apache-2.0", False),
        ("GPL-2.0-only", "GPL-3.0-or-later", False),
        ("GPL-2.0-or-later", "AGPL-3.0-only", False),
        ("MPL-2.0", "GPL-3.0-only", False),
    ],
)
def test_compatibility_rules(project: str, dependency: str, ok: bool) -> None:
    assert compatible(project, dependency) is ok


def test_families() -> None:
    keys = ("BSD-2-Clause", "MPL-2.0", "GPL-2.0-only", "AGPL-3.0-only")
    assert [family(key) for key in keys] == [
        "permissive", "weak-copyleft", "strong-copyleft", "network-copyleft"
    ]  # fmt: skip
    assert family("CC-BY-NC-4.0") == "other"


IDS = ["MIT", "Apache-2.0", "GPL-3.0-only", "BSD-3-Clause", "ISC"]
trees = st.recursive(
    st.sampled_from(IDS),
    lambda inner: st.tuples(
        st.sampled_from(["AND", "OR"]), st.lists(inner, min_size=2, max_size=3)
    ),
    max_leaves=8,
)


def render(tree: Any) -> str:
    if isinstance(tree, str):
        return tree
    operator, parts = tree
    return "(" + f" {operator} ".join(render(part) for part in parts) + ")"


def truth(tree: Any, accepted: set[str]) -> bool:
    if isinstance(tree, str):
        return tree in accepted
    operator, parts = tree
    values = [truth(part, accepted) for part in parts]
    return all(values) if operator == "AND" else any(values)


@given(tree=trees, accepted=st.sets(st.sampled_from(IDS)))
def test_holds_is_the_boolean_value_of_the_expression(tree: Any, accepted: set[str]) -> None:
    """OR leaves a choice, AND needs every part: the expression read as boolean algebra."""
    expression = parse(render(tree))
    assert expression is not None
    assert expression.holds(lambda key: key in accepted) is truth(tree, accepted)


def test_end_to_end_gpl_blocks_and_a_waiver_covers_it(
    site: Path, pytester: pytest.Pytester
) -> None:
    pytester.makepyprojecttoml(
        LIBRARY.replace(', "mystery-dep"', "")
        + '\n[[tool.readiness.waivers]]\ncheck = "licenses"\nrule = "license-unknown"\n'
        'reason = "none yet"\nexpires = "2099-01-01"\n'
    )
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    result = pytester.runpytest(
        "--readiness", "--readiness-select", "licenses", "--readiness-report", "r.json"
    )
    report = json.loads((pytester.path / "r.json").read_text("utf-8"))
    (check,) = [item for item in report["checks"] if item["id"] == "licenses"]
    assert check["outcome"] == "failed"
    assert [finding["rule"] for finding in check["findings"]] == ["license-incompatible"]
    assert report["verdict"] == "not-ready"
    assert result.ret != 0
