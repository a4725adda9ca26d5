"""Image references: registry ports are not tags; a tag pins only when it names one release."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.operations.images import (
    PinningRules,
    classify_tag,
    docker_name,
    parse_image_reference,
)

RULES = PinningRules.from_settings(["latest"], [])


def pinning(text: str, rules: PinningRules = RULES) -> tuple[bool, str]:
    result = parse_image_reference(text).pinning(rules)
    return result.pinned, result.reason


def test_registry_port_is_not_a_tag() -> None:
    image = parse_image_reference("registry:5000/team/app")
    assert (image.name, image.tag, image.digest) == ("registry:5000/team/app", None, None)
    assert pinning("registry:5000/team/app") == (
        False,
        "no tag means 'latest', which moves with every release",
    )


def test_tag_and_digest_are_split() -> None:
    image = parse_image_reference("registry.example.com/org/app:1.2.3@sha256:" + "a" * 64)
    assert image.name == "registry.example.com/org/app"
    assert image.tag == "1.2.3"
    assert image.pinned_by_digest
    assert pinning("python@sha256:" + "0" * 64) == (True, "pinned by digest")


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("python:3.12.7-slim-bookworm", "'3.12.7-slim-bookworm' names an exact release"),
        ("registry.example.com/example-service:1.0.0", "'1.0.0' names an exact release"),
        ("registry.example.com/org/tool:v3.1.5", "'v3.1.5' names an exact release"),
        ("eclipse-temurin:21.0.4_7-jdk", "'21.0.4_7-jdk' names an exact release"),
        ("nginx:1.27.2-alpine3.20", "'1.27.2-alpine3.20' names an exact release"),
        ("postgres:16.4", "'16.4' names an exact postgres release (numbered major.minor)"),
        ("mirror.example.com/library/postgres:16.4-alpine3.20", "exact postgres release"),
        ("debian:12.7-slim", "'12.7-slim' names an exact debian release"),
        ("ubuntu:22.04", "'22.04' names an exact ubuntu release"),
        ("registry.example.com/org/app:2024.11", "'2024.11' is a calendar version"),
        ("debian:bookworm-20240926", "'bookworm-20240926' is date-stamped"),
        ("ubuntu:jammy-20240911.1", "'jammy-20240911.1' is date-stamped"),
        ("registry.example.com/org/app:sha-1a2b3c4", "'sha-1a2b3c4' names a commit"),
        ("registry.example.com/org/app:" + "0f" * 20, "names a commit"),
    ],
)
def test_real_tags_that_pin(reference: str, reason: str) -> None:
    pinned, said = pinning(reference)
    assert pinned, said
    assert reason in said


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("python:LATEST", "'LATEST' is a moving tag"),
        ("python", "no tag means 'latest'"),
        ("python:slim", "'slim' names no python version: it moves with every release"),
        ("node:lts", "'lts' names no node version"),
        ("debian:bookworm", "'bookworm' names no debian version"),
        ("python:3", "'3' is a major version: each pull may bring a newer 3.x"),
        ("python:3-slim", "'3-slim' is a major version: each pull may bring a newer 3.x"),
        ("python:3.12-slim", "'3.12-slim' is a minor version: each pull may bring a newer 3.12.x"),
        ("postgres:16", "'16' is a major version: each pull may bring a newer 16.x"),
        ("postgres:9.3", "'9.3' is a minor version: each pull may bring a newer 9.3.x"),
        ("node:20-alpine3.20", "'20-alpine3.20' is a major version"),
        ("alpine:3.20", "'3.20' is a minor version"),
        ("postgres:alpine3.14", "'alpine3.14' names the OS or a variant, not a postgres version"),
        ("mcr.microsoft.com/windows/servercore:ltsc2022", "'ltsc2022' names the OS"),
        ("myorg/postgres:16.4", "'16.4' is a minor version"),
        ("registry.example.com/org/app:deadbeef", "names no app version"),
    ],
)
def test_real_tags_that_float(reference: str, reason: str) -> None:
    pinned, said = pinning(reference)
    assert not pinned, said
    assert reason in said


def test_in_house_images_numbered_major_minor_are_a_setting() -> None:
    reference = "registry.example.com/team/db:4.2"
    assert not pinning(reference)[0]
    rules = PinningRules.from_settings(["latest", "stable"], ["registry.example.com/team/db"])
    assert pinning(reference, rules)[0]
    assert pinning("registry.example.com/org/app:STABLE", rules) == (
        False,
        "'STABLE' is a moving tag",
    )


@pytest.mark.parametrize(
    "name", ["postgres", "library/postgres", "mirror.example.com/library/postgres", "Postgres"]
)
def test_docker_hub_names_resolve_like_docker_does(name: str) -> None:
    assert docker_name(name) == "library/postgres"


@pytest.mark.parametrize(
    "name",
    ["myorg/postgres", "reg.example/team/postgres", "localhost/postgres", "reg:5000/library/pg"],
)
def test_other_names_are_not_the_official_image(name: str) -> None:
    assert docker_name(name) != "library/postgres"


names = st.from_regex(
    r"[a-z0-9]+(\.[a-z0-9]+)*((:[0-9]{2,5})?(/[a-z0-9_-]+){1,3})?", fullmatch=True
)
tags = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
digests = st.from_regex(r"[0-9a-f]{64}", fullmatch=True)
words = st.from_regex(r"[a-z]{1,10}", fullmatch=True)
suffixes = st.lists(st.tuples(st.sampled_from("-_"), words), max_size=3).map(
    lambda pairs: "".join(separator + word for separator, word in pairs)
)
numbers = st.integers(0, 999).map(str)


@given(names, st.none() | tags, st.none() | digests)
def test_parts_round_trip(name: str, tag: str | None, digest: str | None) -> None:
    text = name + (f":{tag}" if tag else "") + (f"@sha256:{digest}" if digest else "")
    image = parse_image_reference(text)
    assert image.name == name
    assert image.tag == tag
    assert image.digest == (f"sha256:{digest}" if digest else None)


@given(names, st.none() | tags, digests)
def test_any_digest_pins_whatever_the_tag(name: str, tag: str | None, digest: str) -> None:
    text = name + (f":{tag}" if tag else "") + f"@sha256:{digest}"
    assert pinning(text) == (True, "pinned by digest")


@given(st.lists(numbers, min_size=3, max_size=5), st.booleans(), suffixes)
def test_a_full_version_stays_pinned_with_any_suffix(
    parts: list[str], prefixed: bool, suffix: str
) -> None:
    tag = ("v" if prefixed else "") + ".".join(parts) + suffix
    assert classify_tag(tag, "app").pinned


@given(numbers, suffixes, st.none() | st.just(0))
def test_a_major_version_floats_with_any_suffix(major: str, suffix: str, since: int | None) -> None:
    result = classify_tag(major + suffix, "app", two_part_since=since)
    assert not result.pinned
    assert f"each pull may bring a newer {major}.x" in result.reason


@given(numbers, numbers, suffixes, st.none() | st.integers(0, 999))
def test_major_minor_pins_only_images_numbered_that_way_from_their_first_such_major(
    major: str, minor: str, suffix: str, since: int | None
) -> None:
    numbered = since is not None and int(major) >= since
    assert classify_tag(f"{major}.{minor}{suffix}", "app", two_part_since=since).pinned is numbered


@given(st.from_regex(r"[a-uw-z][a-z]{0,9}", fullmatch=True), numbers, numbers)
def test_digits_glued_to_a_word_name_no_version(word: str, major: str, minor: str) -> None:
    """`alpine3.14`; only a leading `v` makes the digits a version (`v12.3`)."""
    result = classify_tag(f"{word}{major}.{minor}", "postgres", two_part_since=0)
    assert not result.pinned
    assert "not a postgres version" in result.reason
