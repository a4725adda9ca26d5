"""What a credential looks like: one `Rule` per format, specific formats before generic ones.

Each rule names the lower-case keywords without which it cannot match, so the scanner runs it
only on files that contain one of them; its regex has a group `secret` holding the value, and
the value must then pass the rule's own tests (entropy, checksum, structure) and, for the
generic rules that key on a variable name rather than a format, the false-positive filters.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from pytest_readiness.checks.secrets import filters
from pytest_readiness.checks.secrets.validation import (
    character_classes,
    crc32_checksum_valid,
    shannon_entropy,
)


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    keywords: tuple[str, ...]
    """Lower-case literals; the rule runs only on text that contains one of them."""
    pattern: re.Pattern[str]
    exact_keywords: tuple[str, ...] = ()
    """Keywords tested case-sensitively in the original text: upper-case prefixes made of
    common letters (`ASIA`, `EAAA`) that, lower-cased, would wake the rule almost anywhere."""
    on_lowered: bool = False
    """Match against the lower-cased text (case-insensitive names); the value still comes
    from the original text at the same place."""
    min_entropy: float = 0.0
    min_classes: int = 1
    """How many of lower, upper, digit and other characters the value must mix."""
    check: Callable[[str], bool] | None = None
    """A structural test of the value: a checksum, a decodable JWT header, a key body."""
    generic: bool = False
    """Keyed on a variable name, not a format: the false-positive filters apply in full."""
    config_only: bool = False
    """Only in configuration files, where a value needs no quotes (.env, INI, YAML)."""
    anchor_at_match: bool = False
    """Report the start of the whole match (a PEM header) rather than of the value."""
    word_start: bool = False
    """The match must not continue a word: `xghp_...` is not a GitHub token. Checked in code
    rather than with a leading `\\b`, which would stop the regex engine from jumping straight
    to the pattern's literal prefix."""
    check_match: Callable[[re.Match[str]], bool] | None = None
    """A test of the match around the value, such as the variable name's suffix."""

    def accepts(self, value: str) -> bool:
        """Whether `value`, found by the pattern, is a credential rather than look-alike noise."""
        if self.min_classes > 1 and character_classes(value) < self.min_classes:
            return False
        if self.min_entropy and shannon_entropy(value) < self.min_entropy:
            return False
        if filters.is_template_or_filler(value):
            return False
        if self.generic and filters.is_not_secret_value(value):
            return False
        return self.check is None or self.check(value)


def _decodes_to_jwt_header(value: str) -> bool:
    header = value.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(decoded, dict) and ("alg" in decoded or "typ" in decoded)


_PEM_NOISE = re.compile(r"\\[nr]|[\s\"'+,;]|^[A-Za-z-]+:.*$", re.MULTILINE)
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{40,}")
MIN_KEY_BODY = 64


def _is_private_key_body(body: str) -> bool:
    """A key body is a long run of base64 (headers, quotes and escaped newlines removed)."""
    cleaned = _PEM_NOISE.sub("", body)
    run = _BASE64_RUN.search(cleaned)
    return run is not None and len(cleaned) >= MIN_KEY_BODY and shannon_entropy(cleaned) > 4.0


def _name_is_secret(match: re.Match[str]) -> bool:
    return match.group("suffix") in NAME_SUFFIXES


_NAME_WORDS = (
    r"password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key"
    r"|private[_-]?key|credential"
)
NAME_SUFFIXES = frozenset(
    {"", "s", "_key", "key", "_value", "value", "_str", "_string", "string", "_1", "_2"}
)
"""What may follow the keyword in a variable name: `api_key_value` is a secret, `token_type`,
`password_field` and `secret_name` are not."""
_ANNOTATION = r"(?:\s*:\s*[\w\[\], |.]{1,40}?)?"
GENERIC_ASSIGNMENT = re.compile(
    rf"(?P<name>(?:{_NAME_WORDS})(?P<suffix>[a-z0-9_]{{0,12}}))[\"']?\]?{_ANNOTATION}"
    r"\s*(?::=|=>|[:=])\s*[rbu]?(?P<quote>[\"'`])(?P<secret>[^\"'`\s\\]{8,256})(?P=quote)"
)
GENERIC_CONFIG = re.compile(
    r"^[ \t]*(?:export[ \t]+)?[\w.-]{0,40}?"
    rf"(?P<name>(?:{_NAME_WORDS})(?P<suffix>[a-z0-9_]{{0,12}}))"
    r"[ \t]*[:=][ \t]*(?P<secret>[^\s\"'`#;]{8,256})[ \t]*(?:[#;].*)?$",
    re.MULTILINE,
)

_GENERIC_KEYWORDS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "access_key",
    "accesskey",
    "access-key",
    "auth_key",
    "authkey",
    "private_key",
    "privatekey",
    "credential",
)

RULES: tuple[Rule, ...] = (
    Rule(
        "aws-access-key-id",
        "AWS access key id",
        ("akia", "abia", "acca"),
        re.compile(r"(?P<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b"),
        exact_keywords=("ASIA",),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "aws-secret-access-key",
        "AWS secret access key",
        ("secret_access_key", "secretaccesskey", "secret-access-key", "aws_secret"),
        re.compile(
            r"(?:aws_?secret(?:_?access)?_?key|secret_?access_?key|secret-access-key)[\"']?"
            r"\s*[:=]\s*[\"']?(?P<secret>[a-z0-9/+]{40})(?![a-z0-9/+=])"
        ),
        on_lowered=True,
        min_entropy=4.0,
        min_classes=3,
    ),
    Rule(
        "gcp-api-key",
        "Google Cloud API key",
        ("aiza",),
        re.compile(r"(?P<secret>AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "gcp-service-account",
        "Google Cloud service account key file",
        ("service_account",),
        re.compile(r"\"private_key_id\"\s*:\s*\"(?P<secret>[a-f0-9]{40})\""),
        min_entropy=3.0,
    ),
    Rule(
        "azure-storage-key",
        "Azure storage or service bus connection string key",
        ("accountkey", "sharedaccesskey"),
        re.compile(r"(?:AccountKey|SharedAccessKey)\s*=\s*(?P<secret>[A-Za-z0-9+/]{40,88}={0,2})"),
        min_entropy=4.0,
    ),
    Rule(
        "github-token",
        "GitHub personal, OAuth, user-to-server, server-to-server or refresh token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        re.compile(r"(?P<secret>gh[pousr]_[0-9A-Za-z]{36})\b"),
        check=crc32_checksum_valid,
        word_start=True,
    ),
    Rule(
        "github-fine-grained-token",
        "GitHub fine-grained personal access token",
        ("github_pat_",),
        re.compile(r"(?P<secret>github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59})\b"),
        min_entropy=4.0,
        word_start=True,
    ),
    Rule(
        "gitlab-token",
        "GitLab personal, deploy, runner, trigger or OAuth token",
        (
            "glpat-",
            "gldt-",
            "glrt-",
            "glptt-",
            "glft-",
            "glcbt-",
            "glimt-",
            "gloas-",
            "glsoat-",
            "glagent-",
            "gr1348941",
        ),
        re.compile(
            r"(?P<secret>(?:gl(?:pat|dt|rt|ptt|ft|cbt|imt|oas|soat|agent)-|GR1348941)"
            r"[0-9A-Za-z_-]{20,64})(?![0-9A-Za-z_-])"
        ),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "pypi-token",
        "PyPI or TestPyPI upload token",
        ("pypi-age",),
        re.compile(r"(?P<secret>pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[0-9A-Za-z_-]{50,})"),
        word_start=True,
    ),
    Rule(
        "npm-token",
        "npm access token",
        ("npm_",),
        re.compile(r"(?P<secret>npm_[0-9A-Za-z]{36})\b"),
        check=crc32_checksum_valid,
        word_start=True,
    ),
    Rule(
        "npmrc-auth-token",
        "npm registry `_authToken` in an .npmrc",
        ("_authtoken",),
        re.compile(r"_authtoken\s*=\s*(?P<secret>[^\s\"'$]{16,})"),
        on_lowered=True,
        min_entropy=3.5,
    ),
    Rule(
        "slack-token",
        "Slack bot, user, app or configuration token",
        ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe", "xapp-"),
        re.compile(
            r"(?P<secret>(?:xox[abposr]|xoxe\.xox[bp]|xoxe)-\d+-[0-9A-Za-z-]{8,}"
            r"|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{32,})"
        ),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "slack-webhook",
        "Slack incoming webhook URL",
        ("hooks.slack.com",),
        re.compile(
            r"(?P<secret>https://hooks\.slack\.com/(?:services|workflows|triggers)/"
            r"[A-Za-z0-9_/+-]{30,})"
        ),
    ),
    Rule(
        "stripe-key",
        "Stripe secret, restricted or webhook signing key",
        ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"),
        re.compile(
            r"(?P<secret>(?:[sr]k_(?:live|test)_[0-9A-Za-z]{24,99}|whsec_[0-9A-Za-z]{32,}))\b"
        ),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "sendgrid-api-key",
        "SendGrid API key",
        ("sg.",),
        re.compile(r"(?P<secret>SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43})(?![0-9A-Za-z_-])"),
        min_entropy=4.0,
        word_start=True,
    ),
    Rule(
        "twilio-api-key",
        "Twilio API key",
        ("twilio",),
        re.compile(r"(?P<secret>SK[0-9a-fA-F]{32})\b"),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "twilio-auth-token",
        "Twilio auth token",
        ("twilio",),
        re.compile(
            r"twilio[\w.-]{0,20}(?:auth|token|secret)[\w.-]{0,20}[\"']?\s*[:=]\s*[\"']?"
            r"(?P<secret>[0-9a-f]{32})\b"
        ),
        on_lowered=True,
        min_entropy=3.0,
    ),
    Rule(
        "mailgun-api-key",
        "Mailgun API key",
        ("key-", "mailgun"),
        re.compile(r"(?P<secret>key-[0-9a-f]{32})\b"),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "shopify-token",
        "Shopify access, custom app, private app or shared secret token",
        ("shpat_", "shpca_", "shppa_", "shpss_"),
        re.compile(r"(?P<secret>shp(?:at|ca|pa|ss)_[0-9a-fA-F]{32})\b"),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "square-token",
        "Square access token or OAuth secret",
        ("sq0atp-", "sq0csp-"),
        re.compile(
            r"(?P<secret>sq0(?:atp|csp)-[0-9A-Za-z_-]{22,43}|EAAA[0-9A-Za-z_+=-]{60})"
            r"(?![0-9A-Za-z_-])"
        ),
        min_entropy=3.5,
        exact_keywords=("EAAA",),
        word_start=True,
    ),
    Rule(
        "digitalocean-token",
        "DigitalOcean personal access, OAuth or refresh token",
        ("dop_v1_", "doo_v1_", "dor_v1_"),
        re.compile(r"(?P<secret>do[opr]_v1_[0-9a-f]{64})\b"),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "databricks-token",
        "Databricks personal access token",
        ("dapi",),
        re.compile(r"(?P<secret>dapi[0-9a-f]{32}(?:-\d)?)\b"),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "vault-token",
        "HashiCorp Vault service, batch or recovery token",
        ("hvs.", "hvb.", "hvr."),
        re.compile(r"(?P<secret>hv[sbr]\.[0-9A-Za-z_-]{24,})"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "telegram-bot-token",
        "Telegram bot token",
        (":aa",),
        re.compile(r"(?<![\w:])(?P<secret>\d{8,10}:AA[0-9A-Za-z_-]{33})(?![0-9A-Za-z_-])"),
        min_entropy=3.5,
    ),
    Rule(
        "openai-api-key",
        "OpenAI API key",
        ("t3blbkfj",),
        re.compile(
            r"(?P<secret>sk-(?:(?:proj|svcacct|admin)-)?[0-9A-Za-z_-]{20,}T3BlbkFJ"
            r"[0-9A-Za-z_-]{20,})"
        ),
        min_entropy=4.0,
        word_start=True,
    ),
    Rule(
        "anthropic-api-key",
        "Anthropic API key",
        ("sk-ant-",),
        re.compile(r"(?P<secret>sk-ant-(?:api|admin)\d{2}-[0-9A-Za-z_-]{80,120})"),
        min_entropy=4.0,
        word_start=True,
    ),
    Rule(
        "private-key",
        "Private key (PEM, OpenSSH, PGP)",
        ("private key",),
        re.compile(
            r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----"
            r"(?P<secret>(?:[^-]++|-(?!----))*+)-----END"
        ),
        check=_is_private_key_body,
        anchor_at_match=True,
    ),
    Rule(
        "putty-private-key",
        "PuTTY private key file",
        ("private-lines:",),
        re.compile(r"Private-Lines:\s*\d+\s*(?P<secret>[A-Za-z0-9+/=\s]{64,})"),
        check=_is_private_key_body,
    ),
    Rule(
        "jwt",
        "JSON Web Token",
        ("eyj",),
        re.compile(r"(?P<secret>eyJ[0-9A-Za-z_-]{10,}\.eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{16,})"),
        check=_decodes_to_jwt_header,
        word_start=True,
    ),
    Rule(
        "url-credentials",
        "Password in a URL",
        ("://",),
        re.compile(
            r"://(?P<user>[^\s:/@\"'<>{}$%]{1,64}):(?P<secret>[^\s/@\"'<>{}$]{3,128})"
            r"@[0-9A-Za-z_.-]+"
        ),
        generic=True,
    ),
    Rule(
        "connection-string-password",
        "Password in a database connection string",
        ("password=", "pwd=", "password =", "pwd ="),
        re.compile(
            r"(?:server|data source|host|address|addr)\s*=\s*[^;\n]{1,200};[^\n]{0,300}?"
            r"(?:password|pwd)\s*=\s*(?P<secret>[^;\"'\s]{4,128})"
        ),
        on_lowered=True,
        generic=True,
    ),
    Rule(
        "generic-secret",
        "Secret-named variable or key assigned a literal",
        _GENERIC_KEYWORDS,
        GENERIC_ASSIGNMENT,
        on_lowered=True,
        generic=True,
        min_entropy=2.8,
        min_classes=2,
        check_match=_name_is_secret,
    ),
    Rule(
        "generic-secret-config",
        "Secret-named setting in a configuration file",
        _GENERIC_KEYWORDS,
        GENERIC_CONFIG,
        on_lowered=True,
        generic=True,
        config_only=True,
        min_entropy=2.8,
        min_classes=2,
        check_match=_name_is_secret,
    ),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}
