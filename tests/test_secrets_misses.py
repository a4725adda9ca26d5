"""Each miss and false positive of issue 15, reproduced: found now, or quiet now."""

from __future__ import annotations

import hashlib
import random
import uuid

import pytest

from pytest_readiness.checks.secrets.names import is_secret_name
from pytest_readiness.checks.secrets.scanner import SecretMatch, scan_text
from tests.secrets_samples import BEGIN, END, PRIVATE, QUIET, password, pem_body, pick

RNG = random.Random(15)
HEX64 = RNG.randbytes(32).hex()
"""What `secrets.token_hex()` prints, seeded so that xdist workers collect the same ids."""
HEX32 = hashlib.md5(b"datadog", usedforsecurity=False).hexdigest()
UUID = str(uuid.UUID(int=RNG.getrandbits(128), version=4))
WORD = password(RNG)
PHRASE = "-".join(["you", "will", "never", "guess"])
"""Flask's tutorial fallback, joined at run time so that this file scans clean."""


def found(text: str, path: str = "app.py") -> list[tuple[str, int]]:
    return [(match.rule, match.line) for match in scan_text(text, path)]


def only(text: str, path: str = "app.py") -> SecretMatch:
    (match,) = scan_text(text, path)
    return match


@pytest.mark.parametrize(
    "line",
    [f'SECRET_KEY = "{HEX64}"', f'DATADOG_API_KEY = "{HEX32}"', f'HEROKU_API_KEY = "{UUID}"'],
)
def test_hex_and_uuid_under_a_secret_name(line: str) -> None:
    assert only(line).severity == "high"


@pytest.mark.parametrize(
    "line", [f'checksum = "{HEX64}"', f'commit = "{HEX32}"', f'request_id = "{UUID}"']
)
def test_hex_and_uuid_under_another_name_stay_quiet(line: str) -> None:
    assert found(line) == []


@pytest.mark.parametrize(
    ("line", "severity"),
    [
        (
            f'SECRET_KEY = os.environ.get("SECRET_KEY", "{PHRASE}")',
            "medium",
        ),
        (f'API_TOKEN = os.getenv("API_TOKEN", "{WORD}")', "high"),
        (f'SECRET_KEY = os.environ.get("SECRET_KEY") or "{PHRASE}"', "medium"),
        (f'System.setProperty("X_TOKEN", "{WORD}");', "high"),
        (
            'app.config["SECRET_KEY"] = os.environ.get("FLASK_SECRET", "d' + 'ev")',
            "medium",
        ),
    ],
)
def test_hard_coded_fallbacks(line: str, severity: str) -> None:
    match = only(line)
    assert (match.rule, match.severity) == ("secret-fallback", severity)


def test_fallbacks_under_other_names_or_placeholders_stay_quiet() -> None:
    assert found('DEBUG = os.environ.get("DEBUG", "false-ish")') == []
    assert found('KEY = os.getenv("API_TOKEN", "<your-token>")') == []
    assert found('KEY = os.getenv("API_TOKEN", "")') == []


@pytest.mark.parametrize(
    "path", ["settings.py", "config.py", "myapp/settings/production.py", "local_settings.py"]
)
def test_word_like_secret_in_a_settings_module(path: str) -> None:
    match = only(f"SECRET_KEY = '{PHRASE}'\n", path)
    assert (match.rule, match.severity) == ("generic-secret", "medium")
    assert found(f"SECRET_KEY = '{PHRASE}'\n", "views.py") == []


def test_django_generated_key() -> None:
    key = "django-" + "insecure-" + pick(RNG, QUIET + "-_", 50)
    match = only(f"SECRET_KEY = '{key}'\n", "mysite/settings.py")
    assert (match.rule, match.severity) == ("django-insecure-key", "high")


@pytest.mark.parametrize(
    "name",
    [
        "SECRET_TOKEN",
        "ACCESS_TOKEN_SECRET",
        "API_KEY_PROD",
        "onepasswordToken",
        "1passwordToken",
        "SMTP_PASS",
        "DB_PASS",
        "MYSQL_PWD",
        "db_pw",
    ],
)
def test_secret_words_with_any_suffix_and_short_words(name: str) -> None:
    assert is_secret_name(name)
    assert found(f'{name} = "{WORD}"') == [("generic-secret", 1)]


@pytest.mark.parametrize(
    "name",
    [
        "token_type",
        "password_field",
        "secret_name",
        "bypass",
        "passport",
        "next_token",
        "max_tokens",
        "tokenizer",
        "secretary",
        "password_hash",
        "token_url",
        "password.encoder",
    ],
)
def test_names_about_a_secret_stay_quiet(name: str) -> None:
    assert not is_secret_name(name)
    assert found(f'{name} = "{WORD}"') == []


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (".env", f"DB_PASSWORD={WORD}#x;y\n"),
        ("app.ini", f"[db]\npassword = {WORD};x\n"),
        ("config.yaml", f"db:\n  password: {WORD}#1\n"),
    ],
)
def test_hash_and_semicolon_inside_an_unquoted_value(path: str, text: str) -> None:
    (match,) = scan_text(text, path)
    assert match.preview.endswith(f"({len(WORD) + len(text.split(WORD)[1].strip())} chars)")


def test_comment_after_white_space_still_ends_the_value() -> None:
    (match,) = scan_text(f"DB_PASSWORD={WORD}  # rotated monthly\n", ".env")
    assert match.preview.endswith(f"({len(WORD)} chars)")


@pytest.mark.parametrize(
    "value",
    ["MySecretPass2024!", "Summer2024Password", "Tr1cky-password-99"],
)
def test_placeholder_judged_on_the_whole_value(value: str) -> None:
    assert found(f'password = "{value}"') == [("generic-secret", 1)]
    assert found(f"url = 'postgres://app:{value}@db.internal/app'") == [("url-credentials", 1)]


@pytest.mark.parametrize("value", ["password", "changeme", "your-password-here", "change_me"])
def test_whole_value_placeholders_stay_quiet(value: str) -> None:
    assert found(f'password = "{value}"') == []
    assert found(f"url = 'postgres://app:{value}@db.internal/app'") == []


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        (f"url = 'redis://:{WORD}@cache.internal:6379/0'", "url-credentials"),
        (f"url = 'https://{pick(RNG, QUIET, 40)}@git.internal/acme/app.git'", "url-token"),
    ],
)
def test_url_credentials_without_a_user(line: str, rule: str) -> None:
    assert found(line) == [(rule, 1)]


def test_curl_basic_auth() -> None:
    text = f"#!/bin/sh\ncurl -sf -u deploy:{WORD} https://api.internal/upload\n"
    assert found(text, "deploy.sh") == [("curl-basic-auth", 2)]
    assert found("curl -u $USER:$PASSWORD https://api.internal/\n", "deploy.sh") == []


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("deploy.sh", f"export API_TOKEN={WORD}"),
        ("Dockerfile", f"ENV API_TOKEN={WORD}"),
        ("Dockerfile", f"ENV API_TOKEN {WORD}"),
        ("build/Dockerfile.prod", f"ARG API_TOKEN={WORD}"),
        ("Makefile", f"API_TOKEN ?= {WORD}"),
        ("rules.mk", f"API_TOKEN ::= {WORD}"),
    ],
)
def test_unquoted_shell_docker_and_make_values(path: str, line: str) -> None:
    assert found(f"# setup\n{line}\n", path) == [("generic-secret-config", 2)]


@pytest.mark.parametrize(
    ("path", "line", "rule"),
    [
        ("main.go", f'var apiToken string = "{WORD}"', "generic-secret"),
        ("Main.java", f'System.setProperty("X_TOKEN", "{WORD}");', "secret-fallback"),
        ("conf.php", f"$password .= '{WORD}';", "generic-secret"),
        ("settings.xml", f"<server><password>{WORD}</password></server>", "xml-secret"),
    ],
)
def test_code_forms(path: str, line: str, rule: str) -> None:
    assert found(line, path) == [(rule, 1)]


@pytest.mark.parametrize(
    "line",
    [
        "token = 'xo" + "xp-1234-5678-####'",
        "token = 'xo" + "xp-4718294619-3819475610-8216395720-####'",
        "token = 'xo" + "xp-2716480593-4729105836-\u2026'",
        "url = 'https://***:***@host.internal/'",
        'output_token = "Jobs[-1].JobId"',
        "key = 'AI" + "zaSyABCDEFGHIJKLMNOPQRSTUVWXYZ0123456'",
    ],
)
def test_minor_false_positives_stay_quiet(line: str) -> None:
    assert found(line) == []


@pytest.mark.parametrize(
    ("path", "text", "reason"),
    [
        (
            "tests/test_billing.py",
            "api_key = 'sk_" + "test_1234'\n",
            "in a test or documentation file",
        ),
        (
            "docs/engines.rst",
            "url = 'postgresql://scott:" + "tiger@localhost/test'",
            "in a test",
        ),
        ("app.py", f"DB = 'postgresql://app:{WORD}@localhost/app'", "for an example host"),
        ("app.py", f"password = 'fake-{WORD}'", "marked as a test or example value"),
    ],
)
def test_fixtures_and_examples_are_reported_low(path: str, text: str, reason: str) -> None:
    match = only(text, path)
    assert match.severity == "low"
    assert match.example.startswith(reason)


def test_private_key_of_a_test_certificate_is_lowered_not_dropped() -> None:
    key = "\n".join([f"{BEGIN} RSA {PRIVATE}", *pem_body(RNG), f"{END} RSA {PRIVATE}"])
    assert only(key, "tests/certs/server.key").severity == "medium"
    assert only(key, "deploy/server.key").severity == "critical"
    assert "\n" not in only(key, "deploy/server.key").preview
