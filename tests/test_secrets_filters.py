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


@pytest.mark.parametrize("value", ["changeme", "your_token_here", "dummy-key-1", "PLACEHOLDER9"])
def test_placeholder_words(value: str) -> None:
    assert filters.has_placeholder_word(value)
    assert filters.is_not_secret_value(value)


@pytest.mark.parametrize("value", ["Tr0ub4dor&3q", "k8Rz2mQvP1tW", "7fGh2Kp9Lm3N"])
def test_real_looking_values_pass_every_filter(value: str) -> None:
    assert not filters.is_template_or_filler(value)
    assert not filters.is_not_secret_value(value)


@given(st.binary(), st.sampled_from(["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]))
def test_generated_hex_digests_are_hashes(data: bytes, algorithm: str) -> None:
    digest = hashlib.new(algorithm, data).hexdigest()
    assert filters.is_hash(digest)
    assert filters.is_hash(digest.upper())
    assert filters.is_not_secret_value(digest)


@given(st.binary())
def test_integrity_strings_are_hashes(data: bytes) -> None:
    assert filters.is_hash("sha256:" + hashlib.sha256(data).hexdigest())
    assert filters.is_hash("sha512-" + hashlib.sha512(data).hexdigest()[:40])


@given(st.uuids())
def test_generated_uuids_are_uuids(value: uuid.UUID) -> None:
    assert filters.is_uuid(str(value))
    assert filters.is_not_secret_value(str(value))


@pytest.mark.parametrize("value", ["os.environ", "settings.API_KEY", "process.env.TOKEN"])
def test_references_read_the_value_elsewhere(value: str) -> None:
    assert filters.is_reference(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("access_token", True), ("Name.Builtin", True), ("a-b:c", True), ("abc123def", False)],
)
def test_identifiers(value: str, expected: bool) -> None:
    assert filters.is_identifier(value) is expected


@pytest.mark.parametrize("value", ["/etc/secret.pem", "./key.txt", "https://example.org/x"])
def test_paths_and_urls_are_not_values(value: str) -> None:
    assert filters.is_not_secret_value(value)
