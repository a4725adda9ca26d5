"""The outline of a Markdown or reStructuredText document: its headings and what lies under them.

Enough structure to tell a real runbook from an empty shell: ATX (`## Rollback`) and underlined
(setext, reStructuredText) headings, with fenced code blocks left alone so a `# comment` in a
shell snippet is not taken for a heading; and the lines that still carry template
placeholders (TODO, TBD, lorem ipsum).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_UNDERLINE = re.compile(r"^ {0,3}([=\-~^*+#\"'`])\1{2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_WORD = re.compile(r"[^\W_]{2,}")
UNDERLINE_LEVELS = {"=": 1, "-": 2}


@dataclass
class Section:
    title: str
    level: int
    line: int
    """1-based line of the heading."""
    body: list[str] = field(default_factory=list)
    """The lines under the heading up to the next heading of the same or a higher level."""


@dataclass
class Outline:
    lines: list[str]
    sections: list[Section]
    heading_lines: set[int]
    """0-based indexes of the lines that make up headings (title and underline)."""

    def find(self, alternatives: str) -> Section | None:
        """The first section whose title contains one of `a|b|c`, ignoring case."""
        wanted = [item.strip().lower() for item in alternatives.split("|") if item.strip()]
        for section in self.sections:
            title = section.title.lower()
            if any(item in title for item in wanted):
                return section
        return None

    def body_lines(self) -> list[str]:
        return [line for index, line in enumerate(self.lines) if index not in self.heading_lines]


def parse(text: str) -> Outline:
    lines = text.splitlines()
    headings: list[tuple[int, int, str]] = []
    heading_lines = _front_matter(lines)
    fence: str | None = None
    for index, line in enumerate(lines):
        if index in heading_lines:
            continue
        fence_match = _FENCE.match(line)
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0]:
                fence = None
            continue
        if fence_match:
            fence = fence_match.group(1)
            continue
        atx = _ATX.match(line)
        if atx:
            headings.append((index, len(atx.group(1)), (atx.group(2) or "").strip()))
            heading_lines.add(index)
            continue
        underline = _UNDERLINE.match(line)
        if underline and _can_be_title(lines, index, heading_lines):
            level = UNDERLINE_LEVELS.get(underline.group(1), 3)
            headings.append((index - 1, level, lines[index - 1].strip()))
            heading_lines.update({index - 1, index})
        elif underline:
            heading_lines.add(index)
    return Outline(lines, _sections(lines, headings, heading_lines), heading_lines)


def _front_matter(lines: list[str]) -> set[int]:
    """The YAML front matter of a docs-site page (`---` ... `---` at the top): not content."""
    if not lines or lines[0].strip() != "---":
        return set()
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return set(range(index + 1))
    return set()


def _can_be_title(lines: list[str], index: int, heading_lines: set[int]) -> bool:
    if index == 0:
        return False
    previous = lines[index - 1]
    return bool(previous.strip()) and index - 1 not in heading_lines


def _sections(
    lines: list[str], headings: list[tuple[int, int, str]], heading_lines: set[int]
) -> list[Section]:
    sections = []
    for position, (index, level, title) in enumerate(headings):
        end = len(lines)
        for later_index, later_level, _ in headings[position + 1 :]:
            if later_level <= level:
                end = later_index
                break
        body = [lines[i] for i in range(index + 1, end) if i not in heading_lines]
        sections.append(Section(title, level, index + 1, body))
    return sections


def placeholder_pattern(placeholders: Sequence[str]) -> re.Pattern[str] | None:
    """A whole-word, case-insensitive pattern for the placeholders (`lorem ipsum` spans spaces)."""
    if not placeholders:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, item.split())) for item in placeholders)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def content_words(lines: Sequence[str], placeholders: re.Pattern[str] | None) -> int:
    """Words a reader would learn something from: placeholders and markup do not count."""
    total = 0
    for line in lines:
        text = placeholders.sub(" ", line) if placeholders else line
        total += len(_WORD.findall(text))
    return total
