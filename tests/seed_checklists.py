"""The checkbox items of the review's source documents, each with a stable key.

Only the tests read the seeds (they are requirements, not shipped text): the key of an item is
`<seed number>:<section>/<group>/<n>` where section is the `##` heading (its number when it has
one), group the `###` heading, and n the item's place among its siblings (`2.3` for the third
sub-item of the second item). The catalogue names these keys in its `sources`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CHECKBOX = re.compile(r"^(?P<indent>\s*)- \[ \] (?P<text>.+)$")
HEADING = re.compile(r"^(?P<level>#{2,3}) (?P<title>.+)$")
NUMBERED = re.compile(r"^(\d+)\.\s")


@dataclass(frozen=True)
class SeedItem:
    key: str
    text: str


def slug(title: str) -> str:
    numbered = NUMBERED.match(title)
    if numbered:
        return numbered.group(1)
    ascii_only = title.encode("ascii", "ignore").decode().lower()
    ascii_only = re.sub(r"\(.*?\)", "", ascii_only)
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")


def seed_items(path: Path) -> list[SeedItem]:
    seed = path.name.split("_", 1)[0]
    section = group = ""
    counters: list[int] = []
    items: list[SeedItem] = []
    for line in path.read_text("utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            if heading["level"] == "##":
                section, group = slug(heading["title"]), ""
            else:
                group = slug(heading["title"])
            counters = []
            continue
        box = CHECKBOX.match(line)
        if not box:
            continue
        depth = len(box["indent"]) // 2
        counters = counters[: depth + 1]
        while len(counters) <= depth:
            counters.append(0)
        counters[depth] += 1
        place = "/".join(part for part in (section, group) if part)
        number = ".".join(str(count) for count in counters)
        items.append(SeedItem(f"{seed}:{place}/{number}", box["text"].strip()))
    return items


def seeds_folder() -> Path | None:
    """`shared/seeds` beside the repository (as CI and the developers have it), if present."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "shared" / "seeds", here.parent.parent / "shared" / "seeds"):
        if candidate.is_dir():
            return candidate
    return None
