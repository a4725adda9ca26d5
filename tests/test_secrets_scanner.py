"""scan_text: where a secret is, what is shown of it (never the value), what is left out."""

from __future__ import annotations

import json
import random
from dataclasses import asdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.secrets.scanner import (
    SecretMatch,
    is_config_path,
    lower,
    mask,
    scan_text,
    secret_hash,
)
from tests.secrets_samples import BEGIN, END, PRIVATE, checksummed, password, pem_body


def test_mask_shows_at_most_four_characters_and_the_length() -> None:
    assert mask("abcdefghijklmnopqrst") == "abcd...(20 chars)"
    assert mask("abcdefgh") == "ab...(8 chars)"
    assert mask("abc") == "...(3 chars)"


@given(st.text(min_size=1, max_size=300))
def test_mask_never_reveals_more_than_a_quarter(value: str) -> None:
    shown = mask(value).split("...(", 1)[0]
    assert "".join(value.split()).startswith(shown)
    assert len(shown) <= min(4, len(value) // 4)


@given(st.text(min_size=1, max_size=300))
def test_mask_never_shows_a_line_break(value: str) -> None:
    assert not any(character in mask(value) for character in "\n\r\v\f\u2028")


def test_private_key_preview_starts_with_the_body() -> None:
    key = "\n".join([f"{BEGIN} RSA {PRIVATE}", *pem_body(random.Random(4)), f"{END} RSA {PRIVATE}"])
    (match,) = scan_text(key, "id_rsa")
    assert "\n" not in match.preview
    assert match.preview[:4].isalnum() or match.preview[0] in "+/"


def test_match_points_at_line_and_column_of_the_value() -> None:
    token = checksummed("gh" + "p_", random.Random(1))
    text = f"first\nsecond\n    TOKEN = '{token}'\n"
    (match,) = scan_text(text, "src/app.py")
    assert (match.rule, match.path, match.line, match.column) == (
        "github-token",
        "src/app.py",
        3,
        14,
    )
    assert match.preview == mask(token)
    assert match.secret_hash == secret_hash(token)


def test_match_never_holds_the_secret() -> None:
    token = checksummed("gh" + "p_", random.Random(2))
    (match,) = scan_text(f"t = '{token}'")
    rendered = repr(match) + json.dumps(match.to_json()) + json.dumps(asdict(match))
    assert token not in rendered
    assert token[4:] not in rendered
    assert SecretMatch.from_json(match.path, match.to_json()) == match


def test_specific_rule_wins_over_the_generic_one() -> None:
    token = checksummed("np" + "m_", random.Random(3))
    assert [m.rule for m in scan_text(f'api_token = "{token}"')] == ["npm-token"]


def test_lower_keeps_positions_when_unicode_changes_length() -> None:
    text = "İstanbul TOKEN"
    assert len(lower(text)) == len(text)
    assert lower(text).endswith("token")


def test_secret_after_length_changing_unicode_is_located() -> None:
    value = password(random.Random(4))
    (match,) = scan_text(f"# İİİ\npassword = '{value}'")
    assert (match.line, match.column) == (2, 13)


@pytest.mark.parametrize(
    ("path", "expected"),
    [(".env", True), ("deploy/.env.prod", True), ("a/settings.yaml", True), ("app.py", False)],
)
def test_config_paths(path: str, expected: bool) -> None:
    assert is_config_path(path) is expected


@pytest.mark.parametrize(
    "comment",
    ["# readiness: allow-secret", "# pragma: allowlist secret", "// gitleaks:allow"],
)
def test_inline_allow_comments_suppress_a_match(comment: str) -> None:
    value = password(random.Random(5))
    assert scan_text(f"password = '{value}'  {comment}") == []
    assert scan_text(f"# pragma: allowlist nextline secret\npassword = '{value}'") == []
    assert len(scan_text(f"password = '{value}'\n{comment}")) == 1


def test_allow_patterns_match_the_value() -> None:
    import re

    value = "TestOnly" + password(random.Random(6))
    assert scan_text(f"password = '{value}'", allow=[re.compile("^TestOnly")]) == []
    assert len(scan_text(f"password = '{value}'", allow=[re.compile("^Other")])) == 1
