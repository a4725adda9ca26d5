"""Secret-looking names: the words in them, not a substring search."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.operations.secret_names import looks_secret, words


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASSWORD",
        "password",
        "AWS_SECRET_ACCESS_KEY",
        "apiKey",
        "API_KEY",
        "GITHUB_TOKEN",
        "auth_token",
        "SECRET_KEY_BASE",
        "privateKey",
        "credentials",
    ],
)
def test_secret_names(name: str) -> None:
    assert looks_secret(name)


@pytest.mark.parametrize(
    "name",
    [
        "PASSWORD_FILE",
        "token_count",
        "max_tokens",
        "GPG_KEY",
        "PYTHON_VERSION",
        "keyboard",
        "tokenizer",
        "PATH",
        "",
    ],
)
def test_names_that_are_not_secrets(name: str) -> None:
    assert not looks_secret(name)


def test_words_split_snake_camel_and_acronyms() -> None:
    assert words("AWS_SECRET_ACCESS_KEY") == ["aws", "secret", "access", "key"]
    assert words("apiKeyID") == ["api", "key", "id"]
    assert words("HTTPSProxy") == ["https", "proxy"]


@given(
    st.sampled_from(["password", "token", "secret"]),
    st.sampled_from(["_", "-"]),
    st.sampled_from([str.upper, str.lower, str.capitalize]),
)
def test_case_and_separator_do_not_matter(word: str, separator: str, case: Any) -> None:
    assert looks_secret(f"db{separator}{case(word)}")
