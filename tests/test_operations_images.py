"""Image references: registry ports are not tags, digests pin, `latest` and no tag float."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.operations.images import parse_image_reference

LATEST = frozenset({"latest"})


def test_registry_port_is_not_a_tag() -> None:
    image = parse_image_reference("registry:5000/team/app")
    assert (image.name, image.tag, image.digest) == ("registry:5000/team/app", None, None)
    assert image.floating(LATEST)


def test_tag_and_digest_are_split() -> None:
    image = parse_image_reference("ghcr.io/org/app:1.2.3@sha256:" + "a" * 64)
    assert image.name == "ghcr.io/org/app"
    assert image.tag == "1.2.3"
    assert image.pinned_by_digest
    assert not image.floating(LATEST)


def test_latest_floats_in_any_case_and_exact_tag_does_not() -> None:
    assert parse_image_reference("python:LATEST").floating(LATEST)
    assert not parse_image_reference("python:3.12.7-slim").floating(LATEST)


def test_digest_without_tag_is_pinned() -> None:
    assert not parse_image_reference("python@sha256:" + "0" * 64).floating(LATEST)


names = st.from_regex(
    r"[a-z0-9]+(\.[a-z0-9]+)*((:[0-9]{2,5})?(/[a-z0-9_-]+){1,3})?", fullmatch=True
)
tags = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)


@given(names, st.none() | tags, st.none() | st.from_regex(r"[0-9a-f]{64}", fullmatch=True))
def test_parts_round_trip(name: str, tag: str | None, digest: str | None) -> None:
    text = name + (f":{tag}" if tag else "") + (f"@sha256:{digest}" if digest else "")
    image = parse_image_reference(text)
    assert image.name == name
    assert image.tag == tag
    assert image.digest == (f"sha256:{digest}" if digest else None)
