"""The readiness catalogue: the review's items, their areas and priorities, and their proof.

The catalogue is data (`catalogue.toml`, shipped with the package); this module is the only
reader. Checks do not know the catalogue: an item names the check whose passing proves it.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from pytest_readiness.model import Severity

PROOF_KINDS = ("check", "test", "attestation")


class CatalogueError(Exception):
    """The shipped catalogue is malformed: a bug of the plugin, never of the user's project."""


@dataclass(frozen=True)
class Proof:
    """One piece of evidence an item expects: a check (and rule), a marked test, or a person."""

    kind: str
    check: str = ""
    rule: str = ""

    @classmethod
    def parse(cls, text: str) -> Proof:
        kind, _, target = text.partition(":")
        if kind not in PROOF_KINDS or (kind == "check") != bool(target):
            raise CatalogueError(f"proof {text!r}: expected check:ID[/RULE], test or attestation")
        check, _, rule = target.partition("/")
        return cls(kind, check, rule)

    def describe(self) -> str:
        if self.kind != "check":
            return self.kind
        return f"check {self.check}" + (f" (rule {self.rule})" if self.rule else "")


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    priority: Severity
    number: int | None = None


@dataclass(frozen=True)
class Item:
    id: str
    says: str
    section: Section
    group: str
    area: str
    priority: Severity
    profiles: frozenset[str]
    proof: tuple[Proof, ...]
    sources: tuple[str, ...]

    @property
    def checks(self) -> tuple[str, ...]:
        """The built-in checks whose passing proves this item (empty: a test or a person)."""
        return tuple(proof.check for proof in self.proof if proof.kind == "check")


@dataclass
class Catalogue:
    areas: dict[str, str]
    profiles: dict[str, str]
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    _by_id: dict[str, Item] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {item.id: item for item in self.items}

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def get(self, item_id: str) -> Item | None:
        return self._by_id.get(item_id)

    def for_profile(self, profile: str) -> list[Item]:
        return [item for item in self.items if profile in item.profiles]


@functools.cache
def load_catalogue() -> Catalogue:
    """The shipped catalogue, parsed and validated once per process."""
    text = resources.files("pytest_readiness").joinpath("catalogue.toml").read_text("utf-8")
    return parse_catalogue(tomllib.loads(text))


def parse_catalogue(data: dict[str, Any]) -> Catalogue:
    areas: dict[str, str] = dict(data["areas"])
    profiles: dict[str, str] = dict(data["profiles"])
    sections = {
        raw["id"]: Section(raw["id"], raw["title"], Severity(raw["priority"]), raw.get("number"))
        for raw in data["sections"]
    }
    items: list[Item] = []
    seen: set[str] = set()
    for group in data["groups"]:
        section = sections.get(group["section"])
        if section is None:
            raise CatalogueError(f"group {group['title']!r}: unknown section {group['section']!r}")
        for raw in group["items"]:
            item = _item(raw, group, section)
            if item.id in seen:
                raise CatalogueError(f"item {item.id!r} appears twice")
            if item.area not in areas:
                raise CatalogueError(f"item {item.id!r}: unknown area {item.area!r}")
            if unknown := item.profiles - profiles.keys():
                raise CatalogueError(f"item {item.id!r}: unknown profiles {sorted(unknown)}")
            seen.add(item.id)
            items.append(item)
    return Catalogue(areas, profiles, tuple(sections.values()), tuple(items))


def _item(raw: dict[str, Any], group: dict[str, Any], section: Section) -> Item:
    proof: Sequence[str] = raw.get("proof", ["attestation"])
    return Item(
        id=raw["id"],
        says=raw["says"],
        section=section,
        group=group["title"],
        area=raw.get("area", group["area"]),
        priority=Severity(raw.get("priority", section.priority)),
        profiles=frozenset(raw.get("profiles", group["profiles"])),
        proof=tuple(Proof.parse(text) for text in proof),
        sources=tuple(raw.get("sources", ())),
    )
