"""Fake credentials of every format the `secrets` check knows, built at run time.

No literal here looks like a credential (prefixes are split and joined), so the repository
passes its own secrets check; the values are random, valid in shape and checksum, and dead.
"""

from __future__ import annotations

import base64
import json
import random
import string
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from pytest_readiness.checks.secrets.validation import base62_encode

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
HEX = "0123456789abcdef"
URLSAFE = BASE62 + "_-"
QUIET = "bcdfghjkmnpqrstvwzBCDFGHJKMNPQRSTVWZ23456789"
"""No vowels, no `x` and no `0`: a value from these letters never spells a placeholder."""


def pick(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def password(rng: random.Random, length: int = 16) -> str:
    """A password-like literal with letters and digits that no filter mistakes for a word."""
    return pick(rng, QUIET, length - 2) + rng.choice("23456789") + rng.choice("bcdfg")


def checksummed(prefix: str, rng: random.Random) -> str:
    """A GitHub/npm style token: 30 random characters and their base62 CRC32."""
    body = pick(rng, BASE62, 30)
    return prefix + body + base62_encode(zlib.crc32(body.encode()))


def github_token(rng: random.Random) -> str:
    return checksummed("gh" + "p_", rng)


def aws_key(rng: random.Random) -> str:
    return "AK" + "IA" + pick(rng, string.ascii_uppercase + "234567", 16)


def jwt(rng: random.Random) -> str:
    def segment(data: dict[str, object]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = segment({"alg": "HS256", "typ": "JWT"})
    payload = segment({"sub": pick(rng, string.digits, 8), "iat": rng.randrange(10**9)})
    return f"{header}.{payload}.{pick(rng, URLSAFE, 43)}"


def pem_body(rng: random.Random, lines: int = 5) -> list[str]:
    return [pick(rng, BASE62 + "+/", 64) for _ in range(lines)]


@dataclass(frozen=True)
class Sample:
    """Lines of text holding a secret, the offset of the line it is reported on."""

    lines: list[str]
    offset: int = 0
    path: str = "app.py"


def _line(template: str, value: str) -> Sample:
    return Sample([template.format(value)])


BEGIN, END = "-----BEGIN", "-----END"
PRIVATE = "PRIVATE" + " KEY-----"

MAKERS: dict[str, Callable[[random.Random], Sample]] = {
    "aws-access-key-id": lambda r: _line(
        'key_id = "{}"', "AK" + "IA" + pick(r, string.ascii_uppercase + "234567", 16)
    ),
    "aws-secret-access-key": lambda r: _line(
        "aws_secret_access_key = '{}'",
        pick(r, BASE62 + "/+", 37) + r.choice("ABC") + r.choice("abc") + r.choice("123"),
    ),
    "gcp-api-key": lambda r: _line('key = "{}"', "AI" + "za" + pick(r, URLSAFE, 35)),
    "gcp-service-account": lambda r: _line(
        '{{"type": "service_account", "private_key_id": "{}"}}', pick(r, HEX, 40)
    ),
    "azure-storage-key": lambda r: _line(
        "conn = 'DefaultEndpointsProtocol=https;AccountName=acme;Account" + "Key={}'",
        pick(r, BASE62 + "+/", 86) + "==",
    ),
    "github-token": lambda r: _line('GH = "{}"', checksummed("gh" + "p_", r)),
    "github-fine-grained-token": lambda r: _line(
        "GH = '{}'", "github_" + "pat_" + pick(r, BASE62, 22) + "_" + pick(r, BASE62, 59)
    ),
    "gitlab-token": lambda r: _line("token: {}", "gl" + "pat-" + pick(r, URLSAFE, 20)),
    "pypi-token": lambda r: _line(
        "password = {}", "pypi-" + "AgEIcHlwaS5vcmc" + pick(r, URLSAFE, 80)
    ),
    "npm-token": lambda r: _line("NPM = '{}'", checksummed("np" + "m_", r)),
    "npmrc-auth-token": lambda r: _line(
        "//npm.example.invalid/:_auth" + "Token={}", pick(r, BASE62, 36)
    ),
    "slack-token": lambda r: _line(
        'SLACK = "{}"',
        "xo"
        + "xb-"
        + pick(r, string.digits, 12)
        + "-"
        + pick(r, string.digits, 13)
        + "-"
        + pick(r, BASE62, 24),
    ),
    "slack-webhook": lambda r: _line(
        'url = "{}"',
        "https://hooks.slack.com/services/T"
        + pick(r, QUIET.upper(), 8)
        + "/B"
        + pick(r, QUIET.upper(), 8)
        + "/"
        + pick(r, BASE62, 24),
    ),
    "stripe-key": lambda r: _line("stripe.api_key = '{}'", "sk_" + "live_" + pick(r, BASE62, 24)),
    "sendgrid-api-key": lambda r: _line(
        "SENDGRID = '{}'", "SG" + "." + pick(r, URLSAFE, 22) + "." + pick(r, URLSAFE, 43)
    ),
    "twilio-api-key": lambda r: _line("TWILIO_KEY = '{}'", "SK" + pick(r, HEX, 32)),
    "twilio-auth-token": lambda r: _line("twilio_auth_token: {}", pick(r, HEX, 32)),
    "mailgun-api-key": lambda r: _line("MAILGUN = '{}'", "key" + "-" + pick(r, HEX, 32)),
    "shopify-token": lambda r: _line("SHOP = '{}'", "shp" + "at_" + pick(r, HEX, 32)),
    "square-token": lambda r: _line("SQUARE = '{}'", "sq0" + "atp-" + pick(r, URLSAFE, 22)),
    "digitalocean-token": lambda r: _line("DO = '{}'", "do" + "p_v1_" + pick(r, HEX, 64)),
    "databricks-token": lambda r: _line("DBX = '{}'", "da" + "pi" + pick(r, HEX, 32)),
    "vault-token": lambda r: _line("VAULT = '{}'", "hv" + "s." + pick(r, URLSAFE, 90)),
    "telegram-bot-token": lambda r: _line(
        "BOT = '{}'", pick(r, "123456789", 9) + ":" + "AA" + pick(r, URLSAFE, 33)
    ),
    "openai-api-key": lambda r: _line(
        "OPENAI = '{}'",
        "sk-" + "proj-" + pick(r, URLSAFE, 40) + "T3Blbk" + "FJ" + pick(r, URLSAFE, 40),
    ),
    "anthropic-api-key": lambda r: _line(
        "ANTHROPIC = '{}'", "sk-" + "ant-" + "api03-" + pick(r, URLSAFE, 93)
    ),
    "private-key": lambda r: Sample(
        [f"{BEGIN} RSA {PRIVATE}", *pem_body(r), f"{END} RSA {PRIVATE}"], path="id_rsa"
    ),
    "putty-private-key": lambda r: Sample(
        ["PuTTY-User-Key-File-2: ssh-rsa", "Private" + "-Lines: 3", *pem_body(r, 3)],
        offset=2,
        path="key.ppk",
    ),
    "jwt": lambda r: _line("auth = '{}'", jwt(r)),
    "url-credentials": lambda r: _line(
        'DATABASE_URL = "postgres://app:{}@db.internal:5432/app"', password(r)
    ),
    "connection-string-password": lambda r: _line(
        'conn = "Server=db;Database=app;User Id=app;Pass' + 'word={};"', password(r)
    ),
    "generic-secret": lambda r: _line('db_password = "{}"', password(r)),
    "generic-secret-config": lambda r: Sample([f"DB_PASSWORD={password(r)}"], path="deploy/.env"),
}


def sample(rule: str, seed: int = 0) -> Sample:
    return MAKERS[rule](random.Random(seed))
