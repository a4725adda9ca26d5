"""What only looks like a credential: placeholders, references, examples, hashes, UUIDs.

Noise is what makes teams switch a secret scanner off, so every candidate passes through
these filters before it becomes a finding. They look at the value alone, or at the value and
the line it sits on, and never at anything a real leaked credential could not avoid.
"""

from __future__ import annotations

import re

PLACEHOLDER_WORDS = frozenset(
    {
        "changeme",
        "change_me",
        "changeit",
        "password",
        "passwd",
        "secret",
        "example",
        "sample",
        "dummy",
        "placeholder",
        "redacted",
        "notreal",
        "not_real",
        "fake",
        "mock",
        "todo",
        "fixme",
        "replace",
        "insert",
        "your",
        "none",
        "null",
        "undefined",
    }
)
"""A value that contains one of these (case-insensitively) was written to be replaced."""

_TEMPLATE = re.compile(
    r"""
    ^<[^<>]*>$            # <your-token>
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
_FILLER = re.compile(r"([xX*#.])\1{3,}|([0_-])\2{5,}")
"""Runs of a filler character: `xxxx`, `****`, `....`, `000000`, `______`.

Zeros and dashes need a longer run: four zeros occur by chance in a long random hex token."""
_HEX = re.compile(r"[0-9a-fA-F]+")
HASH_HEX_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})
"""MD5, SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512 digests written as hex."""
_DIGEST_PREFIX = re.compile(r"^(?:sha(?:1|224|256|384|512)|md5|blake2[bs]?)[:=-]", re.IGNORECASE)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_REFERENCE = re.compile(
    r"""
    (?:os\.)?environ | getenv | env\( | settings\. | config\[ | secrets\.
    | vault\( | keyring\. | \bENV\[ | process\.env
    """,
    re.VERBOSE | re.IGNORECASE,
)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z_]*(?:[.\-:][A-Za-z_][A-Za-z_]*)*$")
"""Letters and underscores only, maybe dotted: a name or a word, not a generated value."""
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
    )


def has_placeholder_word(value: str) -> bool:
    """A word such as `changeme`, `your`, `dummy` asks the reader to put the real value in."""
    lowered = value.lower()
    return any(word in lowered for word in PLACEHOLDER_WORDS)


def is_hash(value: str) -> bool:
    """Hex digests of hash lengths and `sha256:`/`sha512-` style integrity strings."""
    if _DIGEST_PREFIX.match(value):
        return True
    return len(value) in HASH_HEX_LENGTHS and _HEX.fullmatch(value) is not None


def is_uuid(value: str) -> bool:
    return _UUID.match(value) is not None


def is_reference(value: str) -> bool:
    """The value reads the secret from the environment or from settings instead of holding it."""
    return _REFERENCE.search(value) is not None


def is_identifier(value: str) -> bool:
    """A name, a word or a dotted path: what a variable holds when it names a secret."""
    return _IDENTIFIER.match(value) is not None


def is_not_secret_value(value: str) -> bool:
    """The filters every generic candidate value must pass, in one call."""
    return (
        has_placeholder_word(value)
        or is_hash(value)
        or is_reference(value)
        or is_uuid(value)
        or is_identifier(value)
        or value.startswith(("/", "./", "../", "~/", "http:", "https:", "file:"))
    )
