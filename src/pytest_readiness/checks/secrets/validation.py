"""Tests a candidate value must pass to count as a credential: randomness and checksums.

A regex finds things shaped like a token; these functions tell a real one from a word, a
repeated filler or a hand-typed example. GitHub and npm tokens carry a CRC32 of their random
part, so a token whose checksum does not add up was never issued and cannot leak anything.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE62_VALUE = {character: index for index, character in enumerate(BASE62)}
CHECKSUM_LENGTH = 6
PREFIX_LENGTH = 4
"""`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and `npm_` all have four characters."""


def shannon_entropy(value: str) -> float:
    """Bits per character of `value`'s own character distribution (0 for an empty string)."""
    if not value:
        return 0.0
    length = len(value)
    return -sum((count / length) * math.log2(count / length) for count in Counter(value).values())


def base62_encode(number: int, width: int = CHECKSUM_LENGTH) -> str:
    """`number` in base 62 (digits, upper, lower case), left-padded with zeros to `width`."""
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(BASE62[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def base62_decode(text: str) -> int | None:
    number = 0
    for character in text:
        value = _BASE62_VALUE.get(character)
        if value is None:
            return None
        number = number * 62 + value
    return number


def crc32_checksum_valid(token: str) -> bool:
    """Whether a GitHub/npm style token's last six characters are the CRC32 of its body.

    The body is what lies between the four-character prefix and the checksum.
    """
    body, checksum = token[PREFIX_LENGTH:-CHECKSUM_LENGTH], token[-CHECKSUM_LENGTH:]
    if not body.isascii():
        return False
    return base62_decode(checksum) == zlib.crc32(body.encode("ascii"))


def character_classes(value: str) -> int:
    """How many of lower case, upper case, digits and other characters `value` mixes."""
    return (
        any(character.islower() for character in value)
        + any(character.isupper() for character in value)
        + any(character.isdigit() for character in value)
        + any(not character.isalnum() for character in value)
    )
