"""Whether an identifier (`DB_PASSWORD`, `apiKey`, `auth_token`) names a secret value.

Only the name is judged, never a value: the container check asks it of `ENV`/`ARG` keys (as
BuildKit's SecretsUsedInArgOrEnv rule does) and the logging check of the variables a log call
formats. Names that point *at* a secret or describe it (`PASSWORD_FILE`, `token_count`,
`max_tokens`) are not secrets themselves.
"""

from __future__ import annotations

import itertools
import re

SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "secret",
        "secrets",
        "token",
        "tokens",
        "credential",
        "credentials",
        "apikey",
        "privatekey",
        "accesskey",
    }
)
KEY_QUALIFIERS = frozenset({"api", "private", "access", "secret", "signing", "encryption"})
DESCRIPTIVE_WORDS = frozenset(
    {
        "file",
        "path",
        "dir",
        "count",
        "length",
        "len",
        "type",
        "kind",
        "name",
        "field",
        "header",
        "expiry",
        "expires",
        "ttl",
        "hash",
        "prefix",
        "max",
        "min",
        "num",
        "limit",
        "size",
        "url",
        "endpoint",
        "policy",
    }
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def words(identifier: str) -> list[str]:
    """`AWS_SECRET_ACCESS_KEY` -> aws, secret, access, key; `apiKey` -> api, key."""
    return [word.lower() for word in _WORD.findall(identifier)]


def looks_secret(identifier: str) -> bool:
    parts = words(identifier)
    if not parts or any(part in DESCRIPTIVE_WORDS for part in parts):
        return False
    if any(part in SECRET_WORDS for part in parts):
        return True
    return any(
        first in KEY_QUALIFIERS and second == "key" for first, second in itertools.pairwise(parts)
    )
