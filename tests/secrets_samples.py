"""Fake credentials of every format the `secrets` check knows, built at run time.

No literal here looks like a credential (prefixes are split and joined), so the repository
passes its own secrets check; the values are random, valid in shape and checksum, and dead.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from pytest_readiness.checks.secrets.validation import (
    BECH32_CHARSET,
    base62_encode,
    bech32_expand,
    bech32_polymod,
)

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


UPPER_DIGITS = string.ascii_uppercase + string.digits


def base64_json(data: dict[str, object], urlsafe: bool = False) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    if urlsafe:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return base64.b64encode(raw).decode()


def age_key(rng: random.Random) -> str:
    """An age secret key: Bech32 of 52 random 5-bit groups under `age-secret-key-`."""
    data = [rng.randrange(32) for _ in range(52)]
    hrp = "age-secret-key-"
    polymod = bech32_polymod([*bech32_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - index)) & 31 for index in range(6)]
    return (hrp + "1" + "".join(BECH32_CHARSET[value] for value in data + checksum)).upper()


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
    "django-insecure-key": lambda r: _line(
        "SECRET_KEY = '{}'", "django-" + "insecure-" + pick(r, QUIET + "-_", 50)
    ),
    "huggingface-token": lambda r: _line(
        'HF = "{}"', "h" + "f_" + pick(r, string.ascii_letters, 34)
    ),
    "sentry-token": lambda r: _line(
        'SENTRY = "{}"',
        "sntr"
        + "ys_"
        + base64_json(
            {"iat": r.randrange(10**9), "url": "https://sentry.io", "region_url": "", "org": "acme"}
        )
        + "_"
        + pick(r, BASE62, 43),
    ),
    "sentry-dsn": lambda r: _line('dsn = "https://{}@o1.ingest.sentry.io/42"', pick(r, HEX, 32)),
    "grafana-token": lambda r: _line(
        'GRAFANA = "{}"', "gl" + "sa_" + pick(r, BASE62, 32) + "_" + pick(r, HEX, 8)
    ),
    "grafana-cloud-token": lambda r: _line(
        'GRAFANA = "{}"',
        "gl"
        + "c_"
        + base64_json({"o": "1", "n": "stack-token", "k": pick(r, BASE62, 24), "m": {"r": "us"}}),
    ),
    "rubygems-token": lambda r: _line('GEM = "{}"', "rubygems" + "_" + pick(r, HEX, 48)),
    "postman-token": lambda r: _line(
        'POSTMAN = "{}"', "PM" + "AK-" + pick(r, HEX, 24) + "-" + pick(r, HEX, 34)
    ),
    "perplexity-api-key": lambda r: _line('PPLX = "{}"', "pp" + "lx-" + pick(r, BASE62, 48)),
    "atlassian-token": lambda r: _line('JIRA = "{}"', "ATA" + "TT3" + pick(r, BASE62, 186)),
    "doppler-token": lambda r: _line('DOPPLER = "{}"', "dp." + "pt." + pick(r, BASE62, 43)),
    "pulumi-token": lambda r: _line('PULUMI = "{}"', "pu" + "l-" + pick(r, HEX, 40)),
    "terraform-cloud-token": lambda r: _line(
        'TFC = "{}"', pick(r, BASE62, 14) + ".atlas" + "v1." + pick(r, URLSAFE, 67)
    ),
    "age-secret-key": lambda r: _line("# {}", age_key(r)),
    "onepassword-token": lambda r: _line(
        'OP = "{}"',
        "op"
        + "s_"
        + base64_json(
            {
                "signInAddress": "my.1password.com",
                "email": pick(r, QUIET.lower(), 12) + "@1passwordserviceaccounts.com",
                "srpX": pick(r, HEX, 64),
                "muk": {"k": pick(r, URLSAFE, 43), "alg": "A256GCM"},
                "deviceUuid": pick(r, BASE62, 26),
            }
        ),
    ),
    "onepassword-secret-key": lambda r: _line(
        'OP_KEY = "{}"',
        "A3-" + "-".join(pick(r, UPPER_DIGITS, length) for length in (6, 11, 5, 5, 5)),
    ),
    "groq-api-key": lambda r: _line('GROQ = "{}"', "gs" + "k_" + pick(r, BASE62, 52)),
    "xai-api-key": lambda r: _line('XAI = "{}"', "xa" + "i-" + pick(r, BASE62, 80)),
    "together-api-key": lambda r: _line('TOGETHER = "{}"', "tgp_" + "v1_" + pick(r, URLSAFE, 43)),
    "figma-token": lambda r: _line('FIGMA = "{}"', "fi" + "gd_" + pick(r, URLSAFE, 40)),
    "vercel-token": lambda r: _line('VERCEL = "{}"', "vc" + "p_" + pick(r, URLSAFE, 56)),
    "supabase-token": lambda r: _line('SUPABASE = "{}"', "sb" + "p_" + pick(r, HEX, 40)),
    "adobe-client-secret": lambda r: _line('ADOBE = "{}"', "p8" + "e-" + pick(r, BASE62, 32)),
    "algolia-api-key": lambda r: _line('ALGOLIA_ADMIN_KEY = "{}"', pick(r, HEX, 32)),
    "meraki-api-key": lambda r: _line('MERAKI_DASHBOARD_API_KEY = "{}"', pick(r, HEX, 40)),
    "airtable-token": lambda r: _line(
        'AIRTABLE = "{}"', "pa" + "t" + pick(r, BASE62, 14) + "." + pick(r, HEX, 64)
    ),
    "asana-token": lambda r: _line(
        'ASANA_TOKEN = "{}"', "1/" + pick(r, string.digits, 16) + ":" + pick(r, HEX, 32)
    ),
    "beamer-api-key": lambda r: _line('BEAMER_API_KEY = "{}"', "b" + "_" + pick(r, BASE62, 44)),
    "linear-api-key": lambda r: _line('LINEAR = "{}"', "lin" + "_api_" + pick(r, BASE62, 40)),
    "notion-token": lambda r: _line(
        'NOTION = "{}"', "nt" + "n_" + pick(r, string.digits, 11) + pick(r, BASE62, 35)
    ),
    "mapbox-secret-token": lambda r: _line(
        'MAPBOX = "{}"',
        "sk."
        + base64_json({"u": "acme", "a": pick(r, BASE62, 25)}, urlsafe=True)
        + "."
        + pick(r, URLSAFE, 22),
    ),
    "dropbox-token": lambda r: _line('DROPBOX = "{}"', "sl" + ".u." + pick(r, URLSAFE, 150)),
    "shippo-token": lambda r: _line('SHIPPO = "{}"', "shippo_" + "live_" + pick(r, HEX, 40)),
    "okta-api-token": lambda r: _line('OKTA_API_TOKEN = "{}"', "00" + pick(r, URLSAFE, 40)),
    "new-relic-key": lambda r: _line('NR = "{}"', "NR" + "AK-" + pick(r, UPPER_DIGITS, 27)),
    "planetscale-token": lambda r: _line(
        'PSCALE = "{}"', "pscale_" + "tkn_" + pick(r, URLSAFE, 43)
    ),
    "prefect-api-key": lambda r: _line('PREFECT = "{}"', "pn" + "u_" + pick(r, BASE62, 36)),
    "replicate-api-token": lambda r: _line('REPLICATE = "{}"', "r8" + "_" + pick(r, BASE62, 37)),
    "scaleway-secret-key": lambda r: _line(
        'SCW_SECRET_KEY = "{}"', str(uuid.UUID(int=r.getrandbits(128), version=4))
    ),
    "flyio-token": lambda r: _line('FLY = "{}"', "fo" + "1_" + pick(r, URLSAFE, 43)),
    "netlify-token": lambda r: _line('NETLIFY = "{}"', "nf" + "p_" + pick(r, BASE62, 36)),
    "cloudflare-token": lambda r: _line(
        'CF = "{}"', "cf" + "ut_" + pick(r, BASE62, 40) + pick(r, HEX, 8)
    ),
    "cloudflare-api-key": lambda r: _line('CLOUDFLARE_API_TOKEN = "{}"', pick(r, URLSAFE, 40)),
    "contentful-token": lambda r: _line('CONTENTFUL = "{}"', "CF" + "PAT-" + pick(r, URLSAFE, 43)),
    "confluent-api-secret": lambda r: _line(
        'CONFLUENT_API_SECRET = "{}"', pick(r, BASE62 + "+/", 64)
    ),
    "url-token": lambda r: _line(
        'remote = "https://{}@github.com/acme/app.git"', pick(r, BASE62, 40)
    ),
    "curl-basic-auth": lambda r: Sample(
        [f"curl -u deploy:{password(r)} https://api.internal/upload"], path="deploy.sh"
    ),
    "secret-fallback": lambda r: _line(
        'SECRET_KEY = os.environ.get("SECRET_KEY", "{}")', password(r)
    ),
    "xml-secret": lambda r: Sample([f"<password>{password(r)}</password>"], path="settings.xml"),
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
