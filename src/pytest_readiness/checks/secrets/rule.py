"""What a rule is: a regex for one credential format and the tests its value must pass.

Each rule names the lower-case keywords without which it cannot match, so the scanner runs it
only on files that contain one of them; its regex has a group `secret` holding the value, and
the value must then pass the rule's own tests (entropy, checksum, structure) and, for the
generic rules that key on a variable name rather than a format, the false-positive filters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pytest_readiness.checks.secrets import filters
from pytest_readiness.checks.secrets.validation import character_classes, shannon_entropy

MIN_GENERIC_LENGTH = 8
"""A secret-named literal shorter than this is a word or a flag, except where `lenient`."""


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    keywords: tuple[str, ...]
    """Lower-case literals; the rule runs only on text that contains one of them."""
    pattern: re.Pattern[str]
    exact_keywords: tuple[str, ...] = ()
    """Keywords tested case-sensitively in the original text: upper-case prefixes made of
    common letters (`ASIA`, `EAAA`) that, lower-cased, would wake the rule almost anywhere."""
    on_lowered: bool = False
    """Match against the lower-cased text (case-insensitive names); the value still comes
    from the original text at the same place."""
    min_entropy: float = 0.0
    min_classes: int = 1
    """How many of lower, upper, digit and other characters the value must mix."""
    check: Callable[[str], bool] | None = None
    """A structural test of the value: a checksum, a decodable JWT header, a key body."""
    generic: bool = False
    """Keyed on a variable name, not a format: the false-positive filters apply in full."""
    config_only: bool = False
    """Only in files where a value needs no quotes (.env, INI, YAML, shell, Dockerfile)."""
    anchor_at_match: bool = False
    """Report the start of the whole match (a PEM header) rather than of the value."""
    word_start: bool = False
    """The match must not continue a word: `xghp_...` is not a GitHub token. Checked in code
    rather than with a leading `\\b`, which would stop the regex engine from jumping straight
    to the pattern's literal prefix."""
    named: bool = False
    """The match has a group `name` (or ends at the name): the variable's name must say it
    holds a secret (`names.is_secret_name`)."""
    lenient: bool = False
    """A fallback or default (`os.getenv` given a literal default): any literal that is not a
    placeholder counts, and a word-like one is reported at a lower severity."""
    severity: str = "critical"
    """The severity of a finding before the fixture rule (`grading`) lowers it."""
    verified: bool = False
    """The value carries a checksum that held: a real-format credential, never lowered."""
    skeleton: str = ""
    """A Hyperscan pattern (case-insensitive, no groups) that every match of `pattern`
    holds, ending on the line of the value: with Hyperscan, the rule runs only around the
    lines where it matched, instead of over the whole text (`keywords`)."""

    def accepts(self, value: str, lenient: bool = False) -> bool:
        """Whether `value`, found by the pattern, is a credential rather than look-alike noise.

        `lenient` (a fallback, a settings module) lets short and word-like values through.
        """
        if filters.is_template_or_filler(value):
            return False
        if lenient or self.lenient:
            return not filters.is_not_secret_value(value, words_allowed=True)
        if self.generic and len(value) < MIN_GENERIC_LENGTH:
            return False
        if self.min_classes > 1 and character_classes(value) < self.min_classes:
            return False
        if self.min_entropy and shannon_entropy(value) < self.min_entropy:
            return False
        if self.generic and filters.is_not_secret_value(value):
            return False
        return self.check is None or self.check(value)
