"""Which rules a text can match: one pass that finds every rule keyword the text holds.

Most files hold no keyword at all, so this pass is most of a scan's cost. With the optional
`hyperscan` package (the `fast` extra) the keywords are one Hyperscan database, scanned over
the file's bytes in C, each keyword reported at most once per file; without it, one Python
regex does the same job more slowly. Both give the same rules for the same text.
"""

from __future__ import annotations

import functools
import importlib
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar

from pytest_readiness.checks.secrets.rule import Rule


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - depends on the optional extra
        return None


hyperscan = _optional("hyperscan")

CHARACTERS_BY_FREQUENCY = " etsrnaiolpcdf_mu,\".hg()y:b='vxwk-[]#`01>\\2*q|{z}j/+3468957?@!<~%;^$&"
"""Characters of lower-cased source code, most frequent first (measured on site-packages)."""


def _anchor(keyword: str) -> int:
    """The index of the keyword's rarest character, where the keyword regex starts matching."""
    rank = {character: index for index, character in enumerate(CHARACTERS_BY_FREQUENCY)}
    return max(range(len(keyword)), key=lambda index: rank.get(keyword[index], len(rank)))


@dataclass(frozen=True)
class RegexKeywordIndex:
    """One regex that finds every rule keyword, and what each of its matches means.

    The regex engine's cost is the number of positions where it tries a match, so each
    keyword is matched from its rarest character, with the characters before it checked by a
    look-behind, and keywords are grouped by that character: the engine skips, in C, every
    position that holds none of the anchor characters. A match is the keyword from its
    anchor on; when that tail ends several keywords of different rules, a substring test
    tells which of them the text holds.
    """

    pattern: re.Pattern[str]
    keywords_by_tail: dict[str, tuple[str, ...]]
    rules_by_keyword: dict[str, tuple[Rule, ...]]
    exact: tuple[Rule, ...]
    """Rules with case-sensitive keywords, tested by substring in the original text."""
    order: dict[str, int]
    reads_lowered: ClassVar[bool] = True

    @classmethod
    def build(cls, rules: Sequence[Rule]) -> RegexKeywordIndex:
        keywords = sorted({keyword for rule in rules for keyword in rule.keywords})
        branches: dict[str, list[str]] = {}
        tails: dict[str, list[str]] = {}
        for keyword in keywords:
            index = _anchor(keyword)
            behind = f"(?<={re.escape(keyword[: index + 1])})" if index else ""
            branches.setdefault(keyword[index], []).append(behind + re.escape(keyword[index + 1 :]))
            tails.setdefault(keyword[index:], []).append(keyword)
        pattern = re.compile(
            "|".join(
                re.escape(anchor) + "(?:" + "|".join(sorted(group, key=len, reverse=True)) + ")"
                for anchor, group in sorted(branches.items())
            )
        )
        exact = tuple(rule for rule in rules if rule.exact_keywords)
        order = {rule.id: index for index, rule in enumerate(rules)}
        return cls(
            pattern,
            {tail: tuple(found) for tail, found in tails.items()},
            _woken(rules, keywords),
            exact,
            order,
        )

    def plan(self, text: str, lowered: str = "") -> Plan:
        return [(rule, None) for rule in self.rules_for(text, lowered)]

    def rules_for(self, text: str, lowered: str = "") -> list[Rule]:
        """The rules whose keywords occur in the text, in rule order (`lowered`: `text`
        lower-cased)."""
        chosen: dict[str, Rule] = {
            rule.id: rule
            for rule in self.exact
            if any(keyword in text for keyword in rule.exact_keywords)
        }
        for tail in set(self.pattern.findall(lowered)):
            candidates = self.keywords_by_tail[tail]
            for keyword in candidates:
                if len(candidates) == 1 or keyword in lowered:
                    chosen.update((rule.id, rule) for rule in self.rules_by_keyword[keyword])
        return sorted(chosen.values(), key=lambda rule: self.order[rule.id])


def _woken(rules: Sequence[Rule], keywords: Sequence[str]) -> dict[str, tuple[Rule, ...]]:
    """A keyword wakes its own rules and those of every keyword it contains (`password=`
    wakes the rules keyed on `password`)."""
    return {
        keyword: tuple(rule for rule in rules if any(owned in keyword for owned in rule.keywords))
        for keyword in keywords
    }


Window = tuple[int, int]
Plan = list[tuple[Rule, list[Window] | None]]
"""The rules to run on a text, each with the spans to run it on (None: the whole text)."""


class HyperscanKeywordIndex:
    """The keywords as one Hyperscan database: case-insensitive ones and, apart, the
    case-sensitive ones (`ASIA`, `EAAA`), each reported at most once per text; and the
    skeletons of the name-keyed rules, whose every end tells a line the rule must read."""

    reads_lowered: ClassVar[bool] = False

    def __init__(self, rules: Sequence[Rule], hyperscan: ModuleType) -> None:
        self.order = {rule.id: index for index, rule in enumerate(rules)}
        plain = [rule for rule in rules if not rule.skeleton]
        self.framed = [rule for rule in rules if rule.skeleton]
        caseless = sorted({keyword for rule in plain for keyword in rule.keywords})
        exact = sorted({keyword for rule in plain for keyword in rule.exact_keywords})
        self.woken = [
            *_woken(plain, caseless).values(),
            *(tuple(rule for rule in plain if keyword in rule.exact_keywords) for keyword in exact),
        ]
        single = hyperscan.HS_FLAG_SINGLEMATCH
        caseless_flag = hyperscan.HS_FLAG_CASELESS
        expressions = [re.escape(keyword) for keyword in [*caseless, *exact]]
        expressions += [rule.skeleton for rule in self.framed]
        flags = [caseless_flag | single] * len(caseless) + [single] * len(exact)
        flags += [caseless_flag] * len(self.framed)
        self.database = hyperscan.Database()
        self.database.compile(
            expressions=[expression.encode() for expression in expressions],
            ids=list(range(len(flags))),
            elements=len(flags),
            flags=flags,
        )
        self.new_scratch = functools.partial(hyperscan.Scratch, self.database)
        self.local = threading.local()

    def scratch(self) -> Any:
        """This thread's scratch space: Hyperscan's may serve one scan at a time only."""
        if not hasattr(self.local, "scratch"):
            self.local.scratch = self.new_scratch()
        return self.local.scratch

    def plan(self, text: str, lowered: str = "") -> Plan:
        """The rules `text` can match, each with the lines to read (`lowered` is not needed:
        Hyperscan matches without case on the UTF-8 bytes)."""
        found: set[int] = set()
        ends: dict[int, list[int]] = {}
        first_framed = len(self.woken)

        def on_match(pattern: int, _start: int, end: int, *_: Any) -> None:
            if pattern < first_framed:
                found.add(pattern)
            else:
                ends.setdefault(pattern - first_framed, []).append(end)

        subject = text.encode("utf-8", "surrogatepass")
        self.database.scan(subject, match_event_handler=on_match, scratch=self.scratch())
        chosen = {rule.id: rule for pattern in found for rule in self.woken[pattern]}
        planned: Plan = [(rule, None) for rule in chosen.values()]
        same_offsets = len(subject) == len(text)
        for number, offsets in ends.items():
            windows = _lines_around(text, offsets) if same_offsets else None
            planned.append((self.framed[number], windows))
        return sorted(planned, key=lambda item: self.order[item[0].id])

    def rules_for(self, text: str, lowered: str = "") -> list[Rule]:
        return [rule for rule, _ in self.plan(text, lowered)]


def _lines_around(text: str, offsets: list[int]) -> list[Window]:
    """The line of each offset and the line before it, overlapping spans merged."""
    windows: list[Window] = []
    for offset in sorted(offsets):
        if windows and offset <= windows[-1][1]:
            continue
        line_start = text.rfind("\n", 0, max(offset - 1, 0))
        start = text.rfind("\n", 0, max(line_start, 0)) + 1
        end = text.find("\n", offset)
        window = (start, len(text) if end < 0 else end)
        if windows and window[0] <= windows[-1][1]:
            windows[-1] = (windows[-1][0], window[1])
        else:
            windows.append(window)
    return windows


def index(rules: Sequence[Rule]) -> RegexKeywordIndex | HyperscanKeywordIndex:
    """The fastest keyword index this interpreter can build."""
    if hyperscan is None:
        return RegexKeywordIndex.build(rules)
    return HyperscanKeywordIndex(rules, hyperscan)
