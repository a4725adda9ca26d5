"""Whether a variable's name says it holds a secret: `DB_PASS`, `apiKeyProd`, not `token_type`.

A name is split into words (at `_`, `-`, `.`, digits and case changes) and judged on them:
it must hold a secret word, and no word after the last secret word may say that the value is
about the secret rather than the secret itself (`password_field`, `secret_name`,
`token_url`), nor a word before it that the value is a pagination cursor or a count
(`next_token`, `max_tokens`). Judging whole words lets short words in (`pass`, `pwd`, `pw`)
without waking on `bypass`, `compass` or `passport`.
"""

from __future__ import annotations

import re

from pytest_readiness.checks.operations import secret_names

SECRET_WORDS = secret_names.SECRET_WORDS | {"pass", "pw", "passwords", "authkey"}
"""The words the container and logging checks call secret, and the short ones a whole-word
judgement lets in."""
KEY_PAIRS = secret_names.KEY_QUALIFIERS | {"auth"}
"""Words that make the next word `key` a secret word: `api_key`, `signing_key`."""
GLUED = ("password", "passwd", "passphrase", "secret", "token", "credential", "apikey")
"""Secret words recognised inside a glued word: `dbpassword`, `apitoken`, `1passwordtoken`."""
_GLUED_SUFFIXES = ("", "s", "key", "value", "str", "string")
NOT_THE_SECRET = frozenset(
    [
        "type",
        "types",
        "kind",
        "name",
        "names",
        "id",
        "ids",
        "field",
        "fields",
        "url",
        "uri",
        "urls",
        "endpoint",
        "host",
        "path",
        "paths",
        "file",
        "files",
        "filename",
        "dir",
        "location",
        "length",
        "len",
        "size",
        "count",
        "limit",
        "min",
        "max",
        "regex",
        "pattern",
        "re",
        "format",
        "fmt",
        "label",
        "prompt",
        "placeholder",
        "hint",
        "help",
        "message",
        "msg",
        "text",
        "error",
        "errors",
        "title",
        "header",
        "headers",
        "param",
        "params",
        "parameter",
        "policy",
        "rotation",
        "expiry",
        "expires",
        "expiration",
        "expire",
        "ttl",
        "timeout",
        "lifetime",
        "age",
        "env",
        "var",
        "variable",
        "variables",
        "prefix",
        "suffix",
        "mode",
        "method",
        "scope",
        "scopes",
        "version",
        "hash",
        "hashed",
        "digest",
        "checksum",
        "sha",
        "md5",
        "algorithm",
        "alg",
        "encoding",
        "encoder",
        "hasher",
        "validator",
        "validators",
        "validation",
        "reset",
        "required",
        "enabled",
        "enable",
        "disabled",
        "valid",
        "input",
        "box",
        "widget",
        "form",
        "display",
        "source",
        "provider",
        "store",
        "storage",
        "manager",
        "service",
        "handler",
        "class",
        "cls",
        "ref",
        "reference",
        "at",
        "in",
        "on",
        "by",
        "usage",
        "used",
        "set",
        "changed",
        "change",
        "updated",
        "update",
        "confirm",
        "confirmation",
        "again",
        "repeat",
        "strength",
        "chars",
        "characters",
        "char",
        "index",
        "idx",
        "position",
        "pos",
        "start",
        "end",
        "offset",
        "attr",
        "attribute",
        "property",
        "column",
        "col",
        "table",
        "option",
        "options",
        "description",
        "desc",
        "doc",
        "docs",
        "callback",
        "request",
        "response",
        "cache",
        "command",
        "cmd",
        "script",
        "loader",
        "getter",
        "setter",
        "func",
        "fn",
        "factory",
        "builder",
        "parser",
        "generator",
        "gen",
        "fingerprint",
        "arn",
        "mask",
        "masked",
        "hidden",
        "visible",
        "show",
    ]
)
"""Words after the secret word that make the value something about the secret."""
NOT_A_SECRET_BEFORE = frozenset(
    [
        "next",
        "page",
        "continuation",
        "input",
        "output",
        "max",
        "min",
        "num",
        "no",
        "is",
        "has",
        "use",
        "show",
        "hide",
        "forgot",
        "forgotten",
        "reset",
        "confirm",
        "verify",
        "validate",
        "csrf",
        "xsrf",
    ]
)
"""Words before the secret word that make the value a cursor, a count or a flag."""
_NAME_CHARACTERS = re.compile(r"[\w.\-$@]*$")


def name_before(text: str, position: int) -> str:
    """The identifier that ends at or spans `position` in `text`, read back to its start."""
    found = _NAME_CHARACTERS.search(text, max(0, position - 80), position)
    return found.group() if found else ""


def name_words(name: str) -> list[str]:
    """Lower-case words of the last dotted part of `name` (`spring.datasource.password`)."""
    return secret_names.words(name.rsplit(".", 1)[-1].rsplit("->", 1)[-1])


def _secret_word_at(parts: list[str], index: int) -> bool:
    word = parts[index]
    if word in SECRET_WORDS:
        return True
    if word == "key" and index and parts[index - 1] in KEY_PAIRS:
        return True
    return any(
        word.endswith(glued) or word in {glued + suffix for suffix in _GLUED_SUFFIXES}
        for glued in GLUED
    )


def is_secret_name(name: str) -> bool:
    """Whether `name` names a secret itself (see the module's docstring)."""
    parts = name_words(name)
    last = max((index for index in range(len(parts)) if _secret_word_at(parts, index)), default=-1)
    if last < 0:
        return False
    if any(word in NOT_THE_SECRET for word in parts[last + 1 :]):
        return False
    first = min(index for index in range(len(parts)) if _secret_word_at(parts, index))
    return not any(word in NOT_A_SECRET_BEFORE for word in parts[:first])
