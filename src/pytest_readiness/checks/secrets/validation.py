"""Tests a candidate value must pass to count as a credential: randomness and checksums.

A regex finds things shaped like a token; these functions tell a real one from a word, a
repeated filler or a hand-typed example. GitHub and npm tokens carry a CRC32 of their random
part, so a token whose checksum does not add up was never issued and cannot leak anything.
"""

from __future__ import annotations

import base64
import binascii
import json
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


BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GENERATORS = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def bech32_polymod(values: list[int]) -> int:
    """BIP-173's checksum polynomial; a valid Bech32 string's values give 1."""
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for index, generator in enumerate(_BECH32_GENERATORS):
            if (top >> index) & 1:
                checksum ^= generator
    return checksum


def bech32_expand(hrp: str) -> list[int]:
    return [ord(character) >> 5 for character in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_valid(value: str) -> bool:
    """Whether `value` (`AGE-SECRET-KEY-1...`) is a Bech32 string whose checksum holds."""
    lowered = value.lower()
    hrp, _, data = lowered.rpartition("1")
    if not hrp or any(character not in BECH32_CHARSET for character in data):
        return False
    values = [BECH32_CHARSET.index(character) for character in data]
    return bech32_polymod(bech32_expand(hrp) + values) == 1


def base64_json_keys(encoded: str) -> frozenset[str]:
    """The keys of the JSON object that `encoded` (standard or URL-safe base64) holds, if any.

    Tokens such as Grafana Cloud's `glc_...` and 1Password's `ops_...` are base64 of a JSON
    object with fixed keys: a string that does not decode to one was never issued.
    """
    padded = encoded + "=" * (-len(encoded) % 4)
    try:
        decoded = json.loads(base64.b64decode(padded.replace("-", "+").replace("_", "/")))
    except (ValueError, binascii.Error):
        return frozenset()
    return frozenset(decoded) if isinstance(decoded, dict) else frozenset()
