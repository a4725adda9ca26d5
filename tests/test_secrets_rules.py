"""Every rule finds its format where it is and leaves look-alikes alone."""

from __future__ import annotations

import hashlib
import random
import re
import uuid

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pytest_readiness.checks.secrets import filters
from pytest_readiness.checks.secrets.rules import RULES, RULES_BY_ID
from pytest_readiness.checks.secrets.scanner import scan_text
from tests.secrets_samples import (
    BASE62,
    BEGIN,
    END,
    HEX,
    MAKERS,
    PRIVATE,
    checksummed,
    password,
    pem_body,
    pick,
    sample,
)

RULE_IDS = [rule.id for rule in RULES]


def found(lines: list[str], path: str = "app.py") -> list[tuple[str, int]]:
    return [(match.rule, match.line) for match in scan_text("\n".join(lines), path)]


def test_every_rule_has_a_sample_and_keywords_in_lower_case() -> None:
    assert set(MAKERS) == set(RULE_IDS)
    for rule in RULES:
        assert rule.keywords
        assert all(keyword == keyword.lower() for keyword in rule.keywords)
        assert "secret" in rule.pattern.groupindex


@pytest.mark.parametrize("rule", RULE_IDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rule_finds_its_format(rule: str, seed: int) -> None:
    example = sample(rule, seed)
    lines = ["import os", "", *example.lines, "print('done')"]
    assert found(lines, example.path) == [(rule, 3 + example.offset)]


def _wrong_checksum(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


NEGATIVES: dict[str, list[str]] = {
    "aws-access-key-id": [
        'key = "AK' + 'IAIOSFODNN7EXAMPLE"',
        'key = "AK' + "IA" + "X" * 16 + '"',
        "key = 'ak" + "ia" + "abcdefghijklmnop'",
    ],
    "aws-secret-access-key": [
        "aws_secret_access_key = " + hashlib.sha1(b"x").hexdigest(),
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY",
    ],
    "gcp-api-key": ["key = 'AI" + "za" + "x" * 35 + "'", "key = 'AI" + "za" + "short'"],
    "github-token": [
        "t = '" + _wrong_checksum(checksummed("gh" + "p_", random.Random(5))) + "'",
        "t = 'gh" + "p_" + "x" * 36 + "'",
    ],
    "npm-token": ["t = '" + _wrong_checksum(checksummed("np" + "m_", random.Random(6))) + "'"],
    "slack-webhook": [
        "u = 'https://hooks.slack.com/services/T00000000/B00000000/" + "X" * 24 + "'"
    ],
    "private-key": [
        f'MARKER = "{BEGIN} RSA {PRIVATE}"',
        f"{BEGIN} PUBLIC KEY-----",
        *[pick(random.Random(1), BASE62, 64)] * 3,
        "-----END PUBLIC KEY-----",
        f"{BEGIN} OPENSSH {PRIVATE}",
        "...",
        f"-----END OPENSSH {PRIVATE}",
    ],
    "jwt": ["t = 'eyJ" + "notjsonatall.eyJ" + "alsonotjson00.signaturesignature00'"],
    "url-credentials": [
        "url = 'https://user:${PASSWORD}@example.org/'",
        "url = 'postgres://user:password@localhost/db'",
        "url = 'http://localhost:8080/path'",
        "url = 'https://{user}:{password}@host/'",
    ],
    "connection-string-password": ["c = 'Server=db;Database=app;Pass" + "word={password};'"],
    "generic-secret": [
        'password = "changeme123"',
        'password = os.environ["DB_PASSWORD"]',
        'token_type = "Bearer12345"',
        'password_field = "pw1234567"',
        'password = "${DB_PASSWORD}"',
        'password = "<your-password>"',
        'secret = "short"',
        'token = "access_token"',
        'password = "**********"',
        f'api_key = "{uuid.UUID(int=12345)}"',
        'password = "abc...xyz9"',
        'if password == "hunter22x":',
        'token = f"{prefix}-{value}-9"',
        'TOKEN = "Name.Builtin.Pseudo"',
    ],
    "generic-secret-config": ["DB_PASSWORD=${DB_PASSWORD}", "api_key: changeme"],
}


@pytest.mark.parametrize(
    ("rule", "line"), [(rule, line) for rule, lines in NEGATIVES.items() for line in lines]
)
def test_rule_ignores_look_alikes(rule: str, line: str) -> None:
    assert rule in RULES_BY_ID
    path = "settings.env" if rule == "generic-secret-config" else "app.py"
    assert found([line], path) == []


def test_config_rule_needs_a_configuration_file() -> None:
    line = f"DB_PASSWORD={password(random.Random(3))}"
    assert found([line], "deploy/.env") == [("generic-secret-config", 1)]
    assert found([line], "app.py") == []


SURROUNDING = st.lists(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=60),
    max_size=8,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    rule=st.sampled_from(RULE_IDS),
    seed=st.integers(min_value=0, max_value=2**32),
    before=SURROUNDING,
    after=SURROUNDING,
)
def test_generated_token_in_generated_text_is_found_at_its_line(
    rule: str, seed: int, before: list[str], after: list[str]
) -> None:
    example = sample(rule, seed)
    text = "\n".join([*before, *example.lines, *after])
    matches = scan_text(text, example.path)
    assert [(match.rule, match.line) for match in matches] == [
        (rule, len(before) + 1 + example.offset)
    ]


ASSIGNMENTS = st.sampled_from(
    ['password = "{}"', "api_key: {}", "SECRET_KEY={}", '"token": "{}"', "auth_token = '{}'"]
)
HASH_NAMES = st.sampled_from(
    ['checksum = "{}"', "digest: {}", "request_id={}", '"etag": "{}"', "password_hash = '{}'"]
)
DIGESTS = st.one_of(
    st.binary().map(lambda data: hashlib.sha256(data).hexdigest()),
    st.binary().map(lambda data: hashlib.md5(data, usedforsecurity=False).hexdigest()),
    st.binary().map(lambda data: hashlib.sha1(data, usedforsecurity=False).hexdigest()),
    st.uuids().map(str),
)
NOT_SECRETS = st.one_of(
    st.binary().map(lambda data: "sha512-" + hashlib.sha512(data).hexdigest()),
    st.from_regex(re.compile(r"\$\{[A-Z_]{3,20}\}"), fullmatch=True),
    st.from_regex(re.compile(r"<[a-z_-]{3,20}>"), fullmatch=True),
    st.from_regex(re.compile(r"\{\{ ?[a-z_]{3,20} ?\}\}"), fullmatch=True),
    st.from_regex(re.compile(r"[xX*]{8,30}"), fullmatch=True),
    st.from_regex(re.compile(r"(changeme|your_|placeholder)[a-z0-9_]{0,10}"), fullmatch=True),
)
EXAMPLES = st.from_regex(re.compile(r"(dummy|example|fake|test)_[a-z0-9]{8,12}"), fullmatch=True)


@settings(max_examples=150)
@given(template=ASSIGNMENTS, value=NOT_SECRETS, path=st.sampled_from(["a.py", "c.yaml", ".env"]))
def test_generated_digests_and_placeholders_are_not_secrets(
    template: str, value: str, path: str
) -> None:
    assert scan_text(template.format(value), path) == []


@settings(max_examples=100)
@given(template=HASH_NAMES, value=DIGESTS, path=st.sampled_from(["a.py", "c.yaml", ".env"]))
def test_hashes_and_uuids_under_other_names_are_not_secrets(
    template: str, value: str, path: str
) -> None:
    assert scan_text(template.format(value), path) == []


@settings(max_examples=100)
@given(template=ASSIGNMENTS, value=DIGESTS, path=st.sampled_from(["c.yaml", ".env"]))
def test_hex_and_uuids_under_a_secret_name_are_secrets(
    template: str, value: str, path: str
) -> None:
    """`secrets.token_hex()` output, a Datadog key, a Heroku UUID: the name says secret."""
    assume(not filters.is_template_or_filler(value))
    found = scan_text(template.format(value), path)
    assert [match.rule for match in found] in (["generic-secret"], ["generic-secret-config"])
    assert found[0].severity == "high"


@settings(max_examples=100)
@given(template=ASSIGNMENTS, value=EXAMPLES, path=st.sampled_from(["c.yaml", ".env"]))
def test_marked_examples_are_reported_low_never_dropped(
    template: str, value: str, path: str
) -> None:
    assume(not filters.is_template_or_filler(value))
    for match in scan_text(template.format(value), path):
        assert (match.severity, match.example) == ("low", "marked as a test or example value")


def test_hex_run_of_zeros_does_not_hide_a_token() -> None:
    token = "da" + "pi" + "0000" + pick(random.Random(9), HEX, 28)
    assert found([f"DBX = '{token}'"]) == [("databricks-token", 1)]


def test_private_key_inside_a_json_string_is_found() -> None:
    body = "\\n".join(pem_body(random.Random(8)))
    key = f"{BEGIN} {PRIVATE}\\n{body}\\n{END} {PRIVATE}\\n"
    line = f'  "private_key": "{key}",'
    assert found(["{", '  "type": "service_account",', line, "}"]) == [("private-key", 3)]


def test_token_must_not_continue_a_word() -> None:
    token = checksummed("gh" + "p_", random.Random(10))
    assert found([f"t = 'x{token}'"]) == []
    assert found([f"t = '{token}'"]) == [("github-token", 1)]


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        (
            "key_id = '"
            + "AS"
            + "IA"
            + pick(random.Random(11), "ABCDEFGHJKMNPQRSTVWZ234567", 16)
            + "'",
            "aws-access-key-id",
        ),
        ("token = '" + "EA" + "AA" + pick(random.Random(12), BASE62, 60) + "'", "square-token"),
    ],
)
def test_case_sensitive_keywords_wake_their_rule(line: str, rule: str) -> None:
    assert found([line]) == [(rule, 1)]


def test_lower_case_prefix_does_not_wake_a_case_sensitive_rule() -> None:
    from pytest_readiness.checks.secrets.scanner import rules_for

    text = "travel to asia; eaaa"
    assert {r.id for r in rules_for(text, text)}.isdisjoint({"aws-access-key-id", "square-token"})


@pytest.mark.parametrize(
    "template",
    [
        'password: str = "{}"',
        '{{"api_key": "{}"}}',
        'connect(host="db", password="{}")',
        'config["secret_key"] = "{}"',
        "$client_secret => '{}';",
        "AUTH_TOKEN := `{}`",
        "  access_key: '{}'",
    ],
)
def test_generic_assignment_forms(template: str) -> None:
    assert found([template.format(password(random.Random(13)))]) == [("generic-secret", 1)]


@pytest.mark.parametrize(
    ("path", "template", "rule"),
    [
        ("setup.cfg", "[db]\npassword = {}", "generic-secret-config"),
        ("app.ini", "[db]\nPASSWORD={}  ; production", "generic-secret-config"),
        ("config/app.yaml", "db:\n  password: {}", "generic-secret-config"),
        ("app.properties", "x=1\ndb.password={}", "generic-secret-config"),
        (".env.production", "x=1\nexport API_TOKEN={}", "generic-secret-config"),
        ("pyproject.toml", '[tool.x]\napi_key = "{}"', "generic-secret"),
        ("settings.json", '{{\n  "client_secret": "{}"\n}}', "generic-secret"),
    ],
)
def test_configuration_file_forms(path: str, template: str, rule: str) -> None:
    text = template.format(password(random.Random(14)))
    assert [(m.rule, m.line) for m in scan_text(text, path)] == [(rule, 2)]
