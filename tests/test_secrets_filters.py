"""What looks like a secret but is not: placeholders, references, hashes, UUIDs, names."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.secrets import filters


@pytest.mark.parametrize(
    "value",
    [
        "<your-api-token>",
        "${DB_PASSWORD}",
        "{{ vault_password }}",
        "{% secret %}",
        "%(password)s",
        "$API_TOKEN",
        "%API_TOKEN%",
        "{token}",
        "xxxxxxxxxxxx",
        "************",
        "sk_live_XXXXXXXXXXXXXXXXXXXXXXXX",
        "000000000000",
        "AKIAIOSFODNN7" + "EXAMPLE",
        "user-%s-secret",
        "sk_live_abc...xyz",
        "{prefix}-{value}",
    ],
)
def test_templates_fillers_and_examples(value: str) -> None:
    assert filters.is_template_or_filler(value)


@pytest.mark.parametrize(
    "value", ["changeme", "your_token_here", "change-me", "PLACEHOLDER9", "password", "<TODO>"]
)
def test_placeholders_are_judged_on_the_whole_value(value: str) -> None:
    assert filters.is_placeholder(value)
    assert filters.is_not_secret_value(value)


@pytest.mark.parametrize(
    "value", ["MySecretPass2024!", "Summer2024Password", "hunter2password9", "dummy-key-1"]
)
def test_a_placeholder_word_inside_a_value_does_not_make_it_one(value: str) -> None:
    assert not filters.is_placeholder(value)
    assert not filters.is_not_secret_value(value)


@pytest.mark.parametrize("value", ["dummy-key-1", "fakeToken9", "TEST_VALUE", "my-example"])
def test_example_words_mark_fixtures(value: str) -> None:
    assert filters.has_example_word(value)


@pytest.mark.parametrize("value", ["Tr0ub4dor&3q", "k8Rz2mQvP1tW", "7fGh2Kp9Lm3N"])
def test_real_looking_values_pass_every_filter(value: str) -> None:
    assert not filters.is_template_or_filler(value)
    assert not filters.is_not_secret_value(value)
    assert not filters.has_example_word(value)


@given(st.binary())
def test_integrity_strings_are_not_secret_values(data: bytes) -> None:
    assert filters.is_not_secret_value("sha256:" + hashlib.sha256(data).hexdigest())
    assert filters.is_not_secret_value("sha512-" + hashlib.sha512(data).hexdigest()[:40])


@given(st.uuids(), st.binary())
def test_uuids_and_hex_digests_are_left_to_the_name(value: uuid.UUID, data: bytes) -> None:
    assert not filters.is_not_secret_value(str(value))
    assert not filters.is_not_secret_value(hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize(
    "value", ["AIzaSyABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "abcdefgh12", "pw-123456789", "***"]
)
def test_counting_sequences_and_short_star_runs_are_fillers(value: str) -> None:
    assert filters.is_template_or_filler(value)


@pytest.mark.parametrize("value", ["os.environ", "settings.API_KEY", "process.env.TOKEN"])
def test_references_read_the_value_elsewhere(value: str) -> None:
    assert filters.is_reference(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("access_token", True),
        ("Name.Builtin", True),
        ("a-b:c", True),
        ("Jobs[-1].JobId", True),
        ("abc123def", False),
    ],
)
def test_identifiers(value: str, expected: bool) -> None:
    assert filters.is_identifier(value) is expected


@pytest.mark.parametrize("value", ["/etc/secret.pem", "./key.txt", "https://example.org/x"])
def test_paths_and_urls_are_not_values(value: str) -> None:
    assert filters.is_not_secret_value(value)
