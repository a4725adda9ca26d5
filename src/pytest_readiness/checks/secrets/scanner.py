"""Text to secret matches, fast: one lower-casing, one keyword pass, only the rules that can hit.

A scanner that loops over lines x rules x filters spends its time in call overhead. Here each
text is lower-cased once, a single regex of every rule's keywords finds which ones occur, and
only the rules owning one of those keywords run, each over the whole text; most files meet
no rule at all. A match never carries the secret: only a masked preview and hashes of it.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from pytest_readiness.checks.secrets import grading, keywords
from pytest_readiness.checks.secrets.allowlist import allowed_by_pattern, inline_allowed
from pytest_readiness.checks.secrets.names import is_secret_name, name_before
from pytest_readiness.checks.secrets.rules import RULES, Rule

_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
CONFIG_SUFFIXES = (
    ".env",
    ".ini",
    ".cfg",
    ".conf",
    ".config",
    ".properties",
    ".yaml",
    ".yml",
    ".toml",
    ".npmrc",
    ".pypirc",
    ".netrc",
)
"""Files where a setting's value needs no quotes, so `password = hunter22` is a literal."""
SHELL_SUFFIXES = (".sh", ".bash", ".zsh", ".ksh", ".mk", ".dockerfile", ".containerfile")
SHELL_NAMES = ("dockerfile", "containerfile", "makefile", "gnumakefile", ".bashrc", ".profile")
SETTINGS_MODULE = re.compile(
    r"(?:^|/)(?:(?:\w+_)?settings(?:_\w+)?|(?:\w+_)?config|configuration|settings/\w+"
    r"|config/\w+)\.py$"
)
"""`settings.py`, `local_settings.py`, `config.py`, `settings/production.py`: where a
literal under a secret's name is the application's secret, however word-like it reads."""


@functools.cache
def keyword_index() -> keywords.RegexKeywordIndex | keywords.HyperscanKeywordIndex:
    """Built on first use (compiling the Hyperscan database takes a tenth of a second), and
    before a process pool forks, so that its workers inherit it."""
    return keywords.index(RULES)


_BLANK = re.compile(r"\s+")
TEMPLATE_TAIL = frozenset("#*\u2026")
"""A value that runs on into `####`, `***` or `…` is a template (`xoxp-1234-...-####`) that a
format's character class cut short."""


def mask(value: str) -> str:
    """What may be shown of a secret: at most its first four characters, and its length.

    Short values show fewer characters, so a masked eight-character password gives away two.
    White space is left out of what is shown, so a preview never holds a line break (a PEM
    key's body starts with one).
    """
    shown = min(4, len(value) // 4)
    return f"{_BLANK.sub('', value)[:shown]}...({len(value)} chars)"


def secret_hash(value: str) -> str:
    """The identity of a secret in baselines and fingerprints, never the secret itself."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def legacy_hash(value: str) -> str:
    """detect-secrets' `hashed_secret` (SHA-1), to honour an imported `.secrets.baseline`."""
    return hashlib.sha1(value.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class SecretMatch:
    """A secret found at a place; holds a masked preview and hashes, never the value."""

    rule: str
    path: str
    line: int
    column: int
    preview: str
    secret_hash: str
    legacy_hash: str
    severity: str = "critical"
    """As `grading.grade` decides: the rule's, or lower for an example or a weak default."""
    example: str = ""
    """Why the finding is a fixture or an example (`grading.example_reason`), or empty."""

    def to_json(self) -> list[Any]:
        return [
            self.rule,
            self.line,
            self.column,
            self.preview,
            self.secret_hash,
            self.legacy_hash,
            self.severity,
            self.example,
        ]

    @classmethod
    def from_json(cls, path: str, data: Sequence[Any]) -> SecretMatch:
        rule, line, column, preview, digest, legacy, severity, example = data
        return cls(rule, path, int(line), int(column), preview, digest, legacy, severity, example)


def is_config_path(path: str) -> bool:
    """A file whose values need no quotes: configuration, shell scripts, Dockerfiles, Makefiles."""
    name = PurePosixPath(path).name.lower()
    return (
        name.endswith(CONFIG_SUFFIXES + SHELL_SUFFIXES)
        or name.startswith((".env", "dockerfile", "containerfile"))
        or name in SHELL_NAMES
        or name == "credentials"
    )


def is_settings_module(path: str) -> bool:
    return SETTINGS_MODULE.search(path.lower()) is not None


def lower(text: str) -> str:
    """Lower case with every character staying where it was, so spans map back to `text`."""
    lowered = text.lower()
    if len(lowered) != len(text):
        return text.translate(_ASCII_LOWER)
    return lowered


def rules_for(lowered: str, text: str = "") -> list[Rule]:
    """The rules whose keywords occur in the lower-cased `lowered` or, case-sensitive
    keywords, in the original `text`, in rule order."""
    return keyword_index().rules_for(text or lowered, lowered)


def scan_text(
    text: str, path: str = "<text>", allow: Sequence[re.Pattern[str]] = ()
) -> list[SecretMatch]:
    """Every secret in `text`, as if it were the file at `path` (which decides config rules).

    Values that `allow` patterns find, and lines with an allow comment, are left out; so is
    a value inside another rule's earlier match (a GitHub token assigned to `token = ...` is
    one finding, by the specific rule).
    """
    index = keyword_index()
    lowered = lower(text) if index.reads_lowered else ""
    plan = index.plan(text, lowered)
    if not plan:
        return []
    lowered = lowered or lower(text)
    config = is_config_path(path)
    lenient = is_settings_module(path)
    taken: list[tuple[int, int]] = []
    found: list[SecretMatch] = []
    for rule, windows in plan:
        if rule.config_only and not config:
            continue
        subject = lowered if rule.on_lowered else text
        for match in _matches(rule, subject, windows):
            if rule.word_start and _continues_word(subject, match.start()):
                continue
            start, end = match.span("secret")
            if text[end : end + 1] in TEMPLATE_TAIL:
                continue
            value = text[start:end]
            name = variable_name(rule, match, text)
            if rule.named and not is_secret_name(name):
                continue
            if not rule.accepts(value, lenient and rule.named) or _overlaps(taken, start, end):
                continue
            anchor = match.start() if rule.anchor_at_match else start
            line_start = text.rfind("\n", 0, anchor) + 1
            line_end = text.find("\n", anchor)
            line_text = text[line_start : line_end if line_end >= 0 else len(text)]
            previous_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
            previous_line = text[previous_start : max(line_start - 1, 0)]
            if inline_allowed(line_text, previous_line) or allowed_by_pattern(value, allow):
                continue
            taken.append((start, end))
            reason = grading.example_reason(path, value, name, text[start : match.end() + 1])
            found.append(
                SecretMatch(
                    rule=rule.id,
                    path=path,
                    line=text.count("\n", 0, anchor) + 1,
                    column=anchor - line_start + 1,
                    preview=mask(value),
                    secret_hash=secret_hash(value),
                    legacy_hash=legacy_hash(value),
                    severity=grading.grade(rule, value, reason, lenient and rule.named),
                    example=reason,
                )
            )
    found.sort(key=lambda item: (item.line, item.column))
    return found


def _matches(
    rule: Rule, subject: str, windows: list[tuple[int, int]] | None
) -> Iterator[re.Match[str]]:
    if windows is None:
        yield from rule.pattern.finditer(subject)
        return
    for start, end in windows:
        yield from rule.pattern.finditer(subject, start, end)


def variable_name(rule: Rule, match: re.Match[str], text: str) -> str:
    """The variable's name in its original case: the `name` group read back to its start;
    for a URL or `curl -u`, the user name."""
    if "user" in rule.pattern.groupindex:
        return match.group("user") or ""
    if "name" not in rule.pattern.groupindex:
        return ""
    return name_before(text, match.end("name"))


def _continues_word(text: str, position: int) -> bool:
    return position > 0 and (text[position - 1].isalnum() or text[position - 1] == "_")


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in taken)


def withhold_secrets(text: str, scanned_as: str = "output.json") -> str:
    """`text` with every line that holds a secret replaced, for quoting a process's output or a
    service's answer; scanned as a JSON file would be, so config rules (`password: ...`) apply.
    """
    lines = text.split("\n")
    for match in scan_text(text, scanned_as):
        lines[match.line - 1] = f"[line withheld: it holds a secret ({match.rule})]"
    return "\n".join(lines)
