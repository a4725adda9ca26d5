"""Official images that leave root in their entrypoint: each entry cited, matched like Docker."""

from __future__ import annotations

import re

import pytest

from pytest_readiness.checks.operations.images import parse_image_reference
from pytest_readiness.checks.operations.privilege_drop import (
    PRIVILEGE_DROPS,
    PrivilegeDrop,
    privilege_drop,
)


@pytest.mark.parametrize("drop", PRIVILEGE_DROPS, ids=lambda drop: drop.image)
def test_every_entry_names_its_source_and_the_line_that_switches_user(
    drop: PrivilegeDrop,
) -> None:
    assert re.fullmatch(r"[\w.-]+/[\w.-]+ [\w./-]*docker-entrypoint\.sh", drop.source)
    assert re.search(r"\b(gosu|su-exec|setpriv|SETPRIV)\b", drop.line)
    assert re.search(rf"\b{re.escape(drop.user)}\b", drop.line)
    assert drop.commands, "an entry without triggering commands would never apply"


def test_the_table_holds_the_verified_images_once() -> None:
    images = [drop.image for drop in PRIVILEGE_DROPS]
    assert sorted(images) == ["mariadb", "mongo", "mysql", "postgres", "rabbitmq", "redis"]


@pytest.mark.parametrize(
    "reference",
    [
        "postgres:16.4",
        "library/postgres:16.4",
        "mirror.example.com/library/postgres:16.4@sha256:00",
    ],
)
def test_official_names_match_as_docker_resolves_them(reference: str) -> None:
    drop = privilege_drop(parse_image_reference(reference), None)
    assert drop is not None
    assert drop.user == "postgres"


@pytest.mark.parametrize(
    "reference",
    ["myorg/postgres:16.4", "registry.example.com/acme/postgres:16.4", "postgresql:16.4"],
)
def test_other_images_of_the_same_name_are_not_trusted(reference: str) -> None:
    assert privilege_drop(parse_image_reference(reference), None) is None


@pytest.mark.parametrize(
    ("reference", "command", "user"),
    [
        ("postgres:16.4", None, "postgres"),
        ("postgres:16.4", ["postgres", "-c", "max_connections=200"], "postgres"),
        ("postgres:16.4", ["-c", "shared_buffers=256MB"], "postgres"),
        ("postgres:16.4", ["bash"], None),
        ("postgres:16.4", ["/bin/sh", "-c", "postgres"], None),
        ("redis:7.4.1", ["redis-server", "--appendonly", "yes"], "redis"),
        ("redis:7.4.1", ["/usr/local/etc/redis/redis.conf"], "redis"),
        ("redis:7.4.1", ["--save", "60", "1"], "redis"),
        ("redis:7.4.1", ["redis-cli"], None),
        ("mysql:8.4.3", ["mysqld", "--character-set-server=utf8mb4"], "mysql"),
        ("mariadb:11.4.3", ["mariadbd"], "mysql"),
        ("mongo:7.0.14", ["mongod", "--replSet", "rs0"], "mongodb"),
        ("mongo:7.0.14", ["mongos"], "mongodb"),
        ("rabbitmq:3.13.7-management", ["rabbitmq-server"], "rabbitmq"),
        ("rabbitmq:3.13.7", ["-detached"], None),
    ],
)
def test_only_the_server_command_triggers_the_switch(
    reference: str, command: list[str] | None, user: str | None
) -> None:
    drop = privilege_drop(parse_image_reference(reference), command)
    assert (drop.user if drop else None) == user
