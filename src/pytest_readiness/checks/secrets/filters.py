"""What only looks like a credential: placeholders, references, examples, hashes, UUIDs.

Noise is what makes teams switch a secret scanner off, so every candidate passes through
these filters before it becomes a finding. They look at the value alone, or at the value and
the line it sits on, and never at anything a real leaked credential could not avoid.
"""

from __future__ import annotations

import itertools
import re

from pytest_readiness.checks.operations import secret_names

PLACEHOLDER_WORDS = frozenset(
    {
        "changeme",
        "changeit",
        "placeholder",
        "redacted",
        "notreal",
        "replace",
        "insert",
        "your",
        "here",
        "todo",
        "fixme",
        "tbd",
        "none",
        "null",
        "undefined",
        "xxx",
    }
)
"""Words that ask the reader to put the real value in: `changeme`, `<your-token>`."""
PLACEHOLDER_PREFIXES = ("changeme", "change_me", "change-me", "placeholder", "redacted", "your")
"""A value that starts with one of these is a placeholder whatever follows (`your_key_2`)."""
FILLER_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "token",
        "key",
        "api",
        "access",
        "auth",
        "private",
        "client",
        "my",
        "me",
        "the",
        "a",
        "an",
        "to",
        "with",
        "change",
        "put",
        "goes",
        "this",
        "real",
        "value",
        "s",
    }
)
"""Words a placeholder is made of besides the placeholder words: `change_me`, `my-secret`."""
EXAMPLE_WORDS = frozenset(
    {
        "example",
        "sample",
        "dummy",
        "fake",
        "mock",
        "test",
        "testing",
        "demo",
        "foo",
        "bar",
        "scott",
        "tiger",
        "hunter",
    }
)
"""Words that mark a fixture or a documentation example (reported at a lower severity),
with the classic demonstration credentials (`scott`/`tiger`, `hunter2`)."""
EXAMPLE_HOSTS = re.compile(
    r"@(?:localhost|127\.0\.0\.1|\[::1\]|(?:[\w-]+\.)*example(?:\.(?:com|org|net))?"
    r"|[\w.-]+\.(?:test|example|invalid|localhost))(?![\w.-])",
    re.IGNORECASE,
)
"""Hosts reserved for documentation and tests (RFC 2606, RFC 6761)."""

_TEMPLATE = re.compile(
    r"""
    ^<+[^<>]*>+$          # <your-token>, <<CLIENT_SECRET>>
    | \$\{[^}]*\}         # ${VAR}
    | \{\{.*\}\}          # {{ var }}
    | \{%.*%\}            # {% tag %}
    | %\([\w.]+\)[sdr]    # %(name)s
    | ^\$[A-Za-z_]\w*$    # $VAR
    | ^%[A-Za-z_]\w*%$    # %VAR%
    | \{[^{}\s]*\}         # {name}, {}, an f-string field
    | \.\.\. | \u2026      # an elided value: abc...xyz
    | ^\[\w+\]$           # [TOKEN]
    """,
    re.VERBOSE,
)
_FILLER = re.compile(r"([*#\u2022])\1{2,}|([xX.])\2{3,}|([0_-])\3{5,}")
"""Runs of a filler character: `***`, `xxxx`, `....`, `000000`, `______`.

Zeros and dashes need a longer run: four zeros occur by chance in a long random hex token."""
SEQUENCE_LENGTH = 6
"""`abcdef`, `123456`: a run this long in counting order is typed, never generated."""
_DIGEST_PREFIX = re.compile(r"^(?:sha(?:1|224|256|384|512)|md5|blake2[bs]?)[:=-]", re.IGNORECASE)
_REFERENCE = re.compile(
    r"""
    (?:os\.)?environ | getenv | env\( | settings\. | config\[ | secrets\.
    | vault\( | keyring\. | \bENV\[ | process\.env
    """,
    re.VERBOSE | re.IGNORECASE,
)
_IDENTIFIER = re.compile(
    r"^[A-Za-z_][A-Za-z_]*(?:\[[^\]]{0,8}\])?(?:[.\-:][A-Za-z_][A-Za-z_]*(?:\[[^\]]{0,8}\])?)*$"
)
"""Letters and underscores only, maybe dotted or indexed (`Jobs[-1].JobId`, a JMESPath): a
name or a word, not a generated value."""
_WORD_LIKE = re.compile(r"^[A-Za-z][A-Za-z_-]*$")
_FORMAT_FIELD = re.compile(r"%[sdr]|\{\d*\}|\{[a-z_]+\}|\$\d")


def is_template_or_filler(value: str) -> bool:
    """Templates, format fields, filler runs and AWS-style `...EXAMPLE` documentation keys.

    Applies to every rule: even a token of a precise format is an example when it reads
    `ghp_xxxx...` or ends in `EXAMPLE`.
    """
    return (
        _TEMPLATE.search(value) is not None
        or _FILLER.search(value) is not None
        or _FORMAT_FIELD.search(value) is not None
        or "EXAMPLE" in value
        or has_sequence(value)
    )


def has_sequence(value: str) -> bool:
    """A run of `SEQUENCE_LENGTH` characters in counting order (`abcdef`, `ABCDEF`, `123456`).

    Documentation writes `AIzaSyabcdefghijklmnop...`; a generated base62 token of 40
    characters holds such a run about once in twenty million, a 64-character hex one about
    once in fifty thousand.
    """
    run = 1
    for before, after in itertools.pairwise(value):
        run = run + 1 if ord(after) - ord(before) == 1 and after.isalnum() else 1
        if run >= SEQUENCE_LENGTH:
            return True
    return False


def is_placeholder(value: str) -> bool:
    """The whole value asks for the real one: `changeme`, `your_token_here`, `change-me`.

    Judged on every word of the value, or on the word it starts with, never on a word
    inside it: `MySecretPass2024!` and `Summer2024Password` are passwords, `password`,
    `changeme123` and `your_key_2` are placeholders.
    """
    parts = secret_names.words(value)
    letters = [part for part in parts if not part.isdigit()]
    if value.lower().startswith(PLACEHOLDER_PREFIXES):
        return True
    if not letters or any(
        word not in PLACEHOLDER_WORDS and word not in FILLER_WORDS for word in letters
    ):
        return False
    return len(letters) == len(parts) or any(word in PLACEHOLDER_WORDS for word in letters)


def has_example_word(text: str) -> bool:
    """`fake-token-9`, `TEST_API_KEY`: a word that marks a fixture or an example."""
    return any(word in EXAMPLE_WORDS for word in secret_names.words(text))


def is_reference(value: str) -> bool:
    """The value reads the secret from the environment or from settings instead of holding it."""
    return _REFERENCE.search(value) is not None


def is_identifier(value: str) -> bool:
    """A name, a word or a dotted path: what a variable holds when it names a secret."""
    return _IDENTIFIER.match(value) is not None


def is_word_like(value: str) -> bool:
    """Letters joined by `-` or `_` (`you-will-never-guess`): a typed phrase, not a dotted name."""
    return _WORD_LIKE.match(value) is not None


def is_not_secret_value(value: str, words_allowed: bool = False) -> bool:
    """The filters every generic candidate value must pass, in one call.

    Hex digests and UUIDs are not among them: under a secret's name (`SECRET_KEY = "<hex>"`,
    what `secrets.token_hex()` prints; a Heroku key is a UUID) they are the secret. Digests
    with an algorithm prefix (`sha256:...`) are still hashes. `words_allowed` keeps typed
    phrases (a fallback's `"you-will-never-guess"`), not dotted names.
    """
    return (
        is_placeholder(value)
        or _DIGEST_PREFIX.match(value) is not None
        or is_reference(value)
        or (is_identifier(value) and not (words_allowed and is_word_like(value)))
        or value.startswith(("/", "./", "../", "~/", "http:", "https:", "file:"))
    )
