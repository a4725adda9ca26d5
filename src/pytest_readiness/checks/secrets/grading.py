"""How much a finding matters: the rule's severity, lowered for fixtures and examples.

Most secrets found in real projects sit in their tests and documentation: `sk_test_...`
fixtures, `scott:tiger@localhost` URLs, the private keys of test certificates. Reporting them
as blockers buries the one real leak, dropping them hides it, so the rule is to report them
at a lower severity, with the reason in the message:

- a finding is an *example* when its file is a test or documentation file (a `tests`,
  `docs`, `examples`, `fixtures`... directory, `test_*.py`, `conftest.py`, a `.md`/`.rst`
  page), or its URL points at a host reserved for examples (`localhost`, `example.com`,
  `*.test`), or its value or name holds a marker word (`test`, `dummy`, `fake`, `example`);
- an example of a provider format (a token, a private key) is reported as `medium`; an
  example of a name-keyed secret (a password, a fallback, a URL) as `low`;
- a value whose checksum held (`verified` rules: GitHub, npm, Age) is a real-format
  credential and keeps its severity anywhere;
- a word-like literal found only because the file is a settings module or the literal is a
  fallback (`SECRET_KEY = "you-will-never-guess"`) is `medium`.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from pytest_readiness.checks.secrets import filters
from pytest_readiness.checks.secrets.rule import MIN_GENERIC_LENGTH, Rule
from pytest_readiness.checks.secrets.validation import shannon_entropy

EXAMPLE_DIRECTORIES = frozenset(
    {
        "t",
        "test",
        "tests",
        "testing",
        "testsuite",
        "unit",
        "integration",
        "functional",
        "e2e",
        "testdata",
        "test_data",
        "fixtures",
        "fixture",
        "spec",
        "specs",
        "docs",
        "doc",
        "documentation",
        "examples",
        "example",
        "samples",
        "sample",
        "demo",
        "demos",
        "tutorial",
        "tutorials",
    }
)
DOCUMENT_SUFFIXES = (".md", ".rst", ".adoc")
"""Documentation pages. Not `.txt` or `.ipynb`: notes and notebooks are where real keys are
pasted."""
_TEST_FILE = re.compile(r"^(?:test_.*|.*_tests?\.\w+|conftest\.py|.*\.(?:spec|test)\.\w+)$")
WEAK_ENTROPY = 2.8


def example_path(path: str) -> bool:
    """A test or documentation file, where a credential is most likely a fixture."""
    pure = PurePosixPath(path.lower())
    return (
        any(part in EXAMPLE_DIRECTORIES for part in pure.parts[:-1])
        or _TEST_FILE.match(pure.name) is not None
        or pure.name.endswith(DOCUMENT_SUFFIXES)
    )


def example_reason(path: str, value: str, name: str, context: str) -> str:
    """Why a finding is an example (empty when it is not one)."""
    if example_path(path):
        return "in a test or documentation file"
    if filters.EXAMPLE_HOSTS.search(context):
        return "for an example host"
    if filters.has_example_word(value) or filters.has_example_word(name):
        return "marked as a test or example value"
    return ""


def weak(value: str) -> bool:
    """Short, word-like or low in randomness: a typed default rather than a generated key."""
    return (
        len(value) < MIN_GENERIC_LENGTH
        or filters.is_word_like(value)
        or shannon_entropy(value) < WEAK_ENTROPY
    )


def grade(rule: Rule, value: str, reason: str, lenient: bool) -> str:
    """The severity of a finding of `rule` (see the module's docstring)."""
    if rule.verified:
        return rule.severity
    if reason:
        return "low" if rule.generic else min_severity(rule.severity, "medium")
    if (lenient or rule.lenient) and weak(value):
        return min_severity(rule.severity, "medium")
    return rule.severity


_ORDER = ("critical", "high", "medium", "low")


def min_severity(first: str, second: str) -> str:
    """The lower of two severities."""
    return max(first, second, key=_ORDER.index)
