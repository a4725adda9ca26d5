"""Secrets a team has accepted on purpose: inline comments and the configured allowlist.

Inline comments are the ones teams already write for other scanners (`pragma: allowlist
secret` for detect-secrets, `gitleaks:allow`) besides our own `readiness: allow-secret`, so a
repository that moves to this check keeps its reviewed exceptions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pytest_readiness.files import matches

SAME_LINE_MARKERS = ("readiness: allow-secret", "pragma: allowlist secret", "gitleaks:allow")
NEXT_LINE_MARKERS = ("readiness: allow-secret-next-line", "pragma: allowlist nextline secret")


def inline_allowed(line: str, previous_line: str = "") -> bool:
    """Whether the line holding a secret, or the one above it, carries an allow comment."""
    lowered = line.lower()
    if any(marker in lowered for marker in SAME_LINE_MARKERS):
        return not any(marker in lowered for marker in NEXT_LINE_MARKERS)
    previous = previous_line.lower()
    return any(marker in previous for marker in NEXT_LINE_MARKERS)


@dataclass
class AllowlistSettings:
    """`[tool.readiness.secrets.allowlist]`: what is never reported."""

    paths: list[str] = field(default_factory=list)
    """Glob patterns of files whose matches are accepted (`docs/examples/*`)."""
    rules: list[str] = field(default_factory=list)
    """Rule ids switched off for the whole project."""
    regexes: list[str] = field(default_factory=list)
    """Regular expressions; a secret value that one of them finds is accepted."""

    def validate(self) -> None:
        for pattern in self.regexes:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(
                    f"allowlist.regexes: {pattern!r} is not a regex: {error}"
                ) from None

    def compiled(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern) for pattern in self.regexes)

    def allows(self, rule: str, path: str) -> bool:
        return rule in self.rules or matches(path, self.paths)


def allowed_by_pattern(value: str, patterns: Sequence[re.Pattern[str]]) -> bool:
    return any(pattern.search(value) for pattern in patterns)
