"""What counts as a pin, an immutable reference and a local path."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement

from pytest_readiness.check import CheckError
from pytest_readiness.checks.supply_chain.entries import (
    Declared,
    archive_release,
    bad_file,
    exact_version,
    immutable_url,
    is_local_reference,
    toml_error_line,
)

versions = st.lists(st.integers(0, 30), min_size=1, max_size=4).map(
    lambda parts: ".".join(map(str, parts))
)
OPERATORS = ["==", "===", ">=", "<=", "~=", "!=", ">", "<"]


@given(version=versions, operator=st.sampled_from(OPERATORS))
def test_only_equality_is_a_pin(version: str, operator: str) -> None:
    if operator == "~=" and "." not in version:
        version += ".0"
    requirement = Requirement(f"pkg{operator}{version}")
    expected = version if operator in ("==", "===") else None
    assert exact_version(requirement) == expected


@given(version=versions)
def test_wildcards_and_ranges_are_not_pins(version: str) -> None:
    assert exact_version(Requirement(f"pkg=={version}.*")) is None
    assert exact_version(Requirement(f"pkg=={version},!=0.0.1")) is None
    assert exact_version(Requirement("pkg")) is None


@pytest.mark.parametrize(
    ("url", "immutable"),
    [
        ("git+https://github.com/a/b@" + "0" * 40, True),
        ("git+https://github.com/a/b@" + "0" * 40 + "#egg=b", True),
        ("git+https://github.com/a/b@main", False),
        ("git+https://github.com/a/b", False),
        ("git+ssh://git@github.com/a/b.git", False),
        ("https://example.org/b-1.0.tar.gz#sha256=" + "a" * 64, True),
        ("https://example.org/b-1.0.tar.gz", False),
    ],
)
def test_immutable_url(url: str, immutable: bool) -> None:
    assert immutable_url(url) is immutable


@pytest.mark.parametrize(
    ("text", "local"),
    [(".", True), ("./libs/x", True), ("/opt/x.whl", True), ("file:///x", True),
     ("libs/x", True), ("https://x.org/y", False), ("requests", False)],
)  # fmt: skip
def test_local_reference(text: str, local: bool) -> None:
    assert is_local_reference(text) is local


def test_declared_properties() -> None:
    pinned = Declared("Foo_Bar==1.0", "r.txt", 3, "requirements", Requirement("Foo_Bar==1.0"))
    assert (pinned.name, pinned.version, pinned.direct_url, pinned.local) == (
        "foo-bar",
        "1.0",
        None,
        False,
    )
    url = Declared(
        "x @ https://x.org/x.whl",
        "r.txt",
        1,
        "requirements",
        Requirement("x @ https://x.org/x.whl"),
    )
    assert (url.version, url.direct_url) == (None, "https://x.org/x.whl")
    editable = Declared("-e .", "r.txt", 1, "requirements", url=".", editable=True)
    assert (editable.name, editable.local) == ("", True)


def test_bad_file_and_toml_line() -> None:
    assert str(bad_file("a.txt", 3, "broken")) == "a.txt:3: broken"
    assert str(bad_file("a.txt", None, "broken")) == "a.txt: broken"
    assert isinstance(bad_file("a", 1, "b"), CheckError)
    assert toml_error_line(ValueError("Invalid value (at line 7, column 3)")) == 7
    assert toml_error_line(ValueError("no position")) is None


@pytest.mark.parametrize(
    ("url", "release"),
    [
        ("https://x.org/files/Flask_Login-0.6.3-py3-none-any.whl", ("flask-login", "0.6.3")),
        ("https://x.org/requests-2.32.3.tar.gz#sha256=" + "a" * 64, ("requests", "2.32.3")),
        ("https://x.org/pkg-1.0.zip", ("pkg", "1.0")),
        ("https://x.org/not-a-wheel.whl", None),
        ("git+https://github.com/a/b@" + "0" * 40, None),
        ("https://x.org/download?id=3", None),
    ],
)
def test_archive_release_from_file_name(url: str, release: tuple[str, str] | None) -> None:
    assert archive_release(url) == release
