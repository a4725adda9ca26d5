"""Entropy, base62 and the CRC32 checksum of GitHub and npm tokens."""

from __future__ import annotations

import math
import random
import zlib

from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.secrets.validation import (
    BASE62,
    base62_decode,
    base62_encode,
    character_classes,
    crc32_checksum_valid,
    shannon_entropy,
)
from tests.secrets_samples import checksummed


@given(st.text(min_size=1, max_size=200))
def test_entropy_lies_between_zero_and_log2_of_distinct_characters(value: str) -> None:
    entropy = shannon_entropy(value)
    assert 0.0 <= entropy <= math.log2(len(set(value))) + 1e-9


def test_entropy_of_known_strings() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abab") == 1.0
    assert shannon_entropy("0123456789abcdef") == 4.0


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_base62_round_trips(number: int) -> None:
    encoded = base62_encode(number)
    assert len(encoded) == 6
    assert set(encoded) <= set(BASE62)
    assert base62_decode(encoded) == number


def test_base62_decode_rejects_other_characters() -> None:
    assert base62_decode("abc-12") is None


@given(st.integers(min_value=0))
def test_generated_tokens_carry_a_valid_checksum(seed: int) -> None:
    token = checksummed("gh" + "p_", random.Random(seed))
    assert crc32_checksum_valid(token)


@given(st.integers(min_value=0), st.integers(min_value=4, max_value=33))
def test_changing_one_body_character_breaks_the_checksum(seed: int, index: int) -> None:
    token = checksummed("np" + "m_", random.Random(seed))
    replacement = "A" if token[index] != "A" else "B"
    forged = token[:index] + replacement + token[index + 1 :]
    assert not crc32_checksum_valid(forged)


def test_checksum_is_over_the_body_only() -> None:
    body = "a" * 30
    good = "gh" + "o_" + body + base62_encode(zlib.crc32(body.encode()))
    assert crc32_checksum_valid(good)
    assert not crc32_checksum_valid(good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert not crc32_checksum_valid("gh" + "o_" + "é" * 30 + "000000")


def test_character_classes() -> None:
    assert character_classes("abc") == 1
    assert character_classes("aB3") == 3
    assert character_classes("aB3-") == 4
