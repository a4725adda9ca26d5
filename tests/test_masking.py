"""One masking step for every output: nothing the secrets rules recognise leaves the plugin."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.masking import mask_secrets, mask_tree
from tests.secrets_samples import aws_key, github_token


def test_a_token_keeps_four_characters_and_its_length() -> None:
    token = github_token(random.Random(1))
    assert mask_secrets(f"leaked {token}!") == "leaked ghp_...(40 chars)!"
    assert mask_secrets(f"{aws_key(random.Random(2))}.env") == "AKIA...(20 chars).env"


def test_plain_text_and_fingerprints_are_unchanged() -> None:
    text = "src/app.py:3: `requests` is installed without an exact version 0f3a9c" + "e" * 58
    assert mask_secrets(text) == text


def test_a_tree_is_masked_keys_and_values() -> None:
    token = github_token(random.Random(3))
    masked = mask_tree({"a": [token, 1, None], token: {"b": (token,)}})
    assert token not in repr(masked)
    assert masked["a"][1:] == [1, None]


@given(st.text(max_size=200), st.integers(0, 2**16))
def test_no_token_survives_whatever_surrounds_it(text: str, seed: int) -> None:
    token = github_token(random.Random(seed))
    assert token not in mask_secrets(f"{text} {token} {text}")
