"""What a credential looks like: one `Rule` per format, specific formats before generic ones.

The provider formats learnt from other scanners' rule sets live in `providers`; this module
holds the original formats and the rules keyed on a variable's name (`names`), which come
last so that a specific format wins the same value.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from pytest_readiness.checks.secrets.providers import PROVIDER_RULES
from pytest_readiness.checks.secrets.rule import Rule
from pytest_readiness.checks.secrets.validation import crc32_checksum_valid, shannon_entropy

__all__ = ["RULES", "RULES_BY_ID", "Rule"]


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


_NAME_WORDS = (
    r"pa(?:ss(?:word|wd|phrase)?)|pwd?|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key"
    r"|private[_-]?key|credential"
)
"""Where a secret's name can end: these words wake the rule (`bypass` too), and
`names.is_secret_name` judges the whole name."""
_NAME = rf"(?P<name>(?:{_NAME_WORDS})[\w.-]{{0,30}}+)"
_NAME_SKELETON = rf"(?:{_NAME_WORDS})[\w.-]*"
"""Skeletons (see `Rule.skeleton`) leave repeats unbounded: they only need to be looser than
the regex, and bounded repeats make Hyperscan's compilation ten times slower."""
_ANNOTATION = r"(?:[ \t]*:[ \t]*[\w\[\], |.]{1,40}?|[ \t]+string)?"
"""A type annotation (`password: str`) or Go's `var apiToken string = ...`."""
_OPERATOR = r"[ \t]*(?:::=|:=|\?=|\+=|\.=|=>|[:=])\s*"
"""The name, its annotation and the operator stay on one line: a docstring line ending in
`Pass` followed by a reST role (`:func:` and a backquoted name) is not an assignment."""
_QUOTED = r"[rbu]?(?P<quote>[\"'`])(?P<secret>[^\"'`\s\\]{3,256})(?P=quote)"
GENERIC_ASSIGNMENT = re.compile(rf"{_NAME}[\"']?\]?{_ANNOTATION}{_OPERATOR}{_QUOTED}")
GENERIC_SKELETON = (
    rf"{_NAME_SKELETON}[\"']?\]?(?:[ \t]*:[ \t]*[\w\[\], |.]+|[ \t]+string)?{_OPERATOR}[rbu]?[\"'`]"
)
GENERIC_CONFIG = re.compile(
    r"^[ \t]*(?:(?P<env>env[ \t]+)|(?:export|arg|readonly|declare|local|set|setenv)[ \t]+)?"
    rf"[\w.-]{{0,40}}?{_NAME}"
    r"(?(env)(?:[ \t]*=[ \t]*|[ \t]+)|[ \t]*(?:::=|:=|\?=|\+=|[:=])[ \t]*)"
    r"(?P<secret>[^\s\"'`]{3,256})[ \t]*(?:[ \t][#;].*)?$",
    re.MULTILINE,
)
"""An unquoted value: `.env`, INI, YAML, shell `export`, Dockerfile `ENV`/`ARG`, Make `?=`.

`#` and `;` start a comment only after white space, as in dotenv, YAML and configparser."""
_CALLS = (
    "getenv",
    "environ.get",
    "env.get",
    "environ.setdefault",
    "setdefault",
    "setproperty",
    "getproperty",
    "putenv",
    "setenv",
    "env",
    ".get",
)
_AFTER_NAME = r"[\"']\s*(?:,\s*(?:default\s*=\s*)?|\)\s*(?:or|\|\||\?\?|\?:)\s*)[rbu]?"
FALLBACK = re.compile(
    r"\((?:"
    + "|".join(rf"(?<={re.escape(call)}\()" for call in _CALLS)
    + rf")\s*[\"'](?P<name>[\w.-]{{1,60}}){_AFTER_NAME}"
    + r"(?P<quote>[\"'`])(?P<secret>[^\"'`\n\\]{3,256})(?P=quote)"
)
"""A literal next to a secret's name in a call: a fallback (`os.getenv("API_TOKEN", "...")`,
`environ.get(...) or "..."`) or a setting (`System.setProperty("X_TOKEN", "...")`). It
starts at the `(`, the call's name checked behind it, so that the regex engine can jump from
one `(` to the next instead of trying every letter."""
FALLBACK_SKELETON = (
    "(?:" + "|".join(re.escape(call) for call in _CALLS) + rf")\(\s*[\"'][\w.-]+{_AFTER_NAME}[\"'`]"
)
XML_ELEMENT = re.compile(
    rf"<(?P<tag>[\w.:-]{{0,40}}?{_NAME})>[ \t]*(?P<secret>[^<>\s]{{3,256}})[ \t]*</(?P=tag)>"
)
XML_SKELETON = rf"<[\w.:-]*{_NAME_SKELETON}>"
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
    "pass",
    "pwd",
    "pw",
)
_CALL_KEYWORDS = ("getenv", "environ", "setproperty", "getproperty", "putenv", "setenv", "get(")


def _named_rule(
    rule_id: str,
    description: str,
    pattern: re.Pattern[str],
    skeleton: str = "",
    config_only: bool = False,
) -> Rule:
    """A rule keyed on a secret's name: the name judged, the value filtered as generic."""
    return Rule(
        rule_id,
        description,
        _GENERIC_KEYWORDS,
        pattern,
        skeleton=skeleton,
        on_lowered=True,
        generic=True,
        config_only=config_only,
        min_entropy=2.8,
        min_classes=2,
        named=True,
        severity="high",
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
        verified=True,
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
        verified=True,
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
        "django-insecure-key",
        "Django secret key generated by startproject (django-insecure-)",
        ("django-insecure-",),
        re.compile(r"[\"'](?P<secret>django-insecure-[^\"'\s]{20,})[\"']"),
        severity="high",
    ),
    *PROVIDER_RULES,
    Rule(
        "url-credentials",
        "Password in a URL",
        ("://",),
        re.compile(
            r"://(?P<user>[^\s:/@\"'<>{}$%]{0,64}):(?P<secret>[^\s/@\"'<>{}$]{3,128})"
            r"@[0-9A-Za-z_.\[\]:-]+"
        ),
        generic=True,
        lenient=True,
        severity="high",
    ),
    Rule(
        "url-token",
        "Token as the user name of a URL",
        ("://",),
        re.compile(r"://(?P<secret>[0-9A-Za-z_-]{20,128})@[0-9A-Za-z_.-]+"),
        generic=True,
        min_entropy=3.0,
        min_classes=2,
        severity="high",
    ),
    Rule(
        "curl-basic-auth",
        "Password in a `curl -u user:password` command",
        ("curl",),
        re.compile(
            r"curl\b[^\n]{0,300}?\s(?:-u|--user)(?:[ \t]+|=)[\"']?(?P<user>[^\s:\"']{1,64}):"
            r"(?P<secret>[^\s\"']{3,128})"
        ),
        generic=True,
        lenient=True,
        severity="high",
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
        lenient=True,
        severity="high",
    ),
    Rule(
        "secret-fallback",
        "Secret-named setting given a literal default or value in a call",
        _CALL_KEYWORDS,
        FALLBACK,
        skeleton=FALLBACK_SKELETON,
        on_lowered=True,
        generic=True,
        named=True,
        lenient=True,
        severity="high",
    ),
    _named_rule(
        "generic-secret",
        "Secret-named variable or key assigned a literal",
        GENERIC_ASSIGNMENT,
        skeleton=GENERIC_SKELETON,
    ),
    _named_rule(
        "generic-secret-config",
        "Secret-named setting in a configuration file, shell script or Dockerfile",
        GENERIC_CONFIG,
        config_only=True,
    ),
    _named_rule(
        "xml-secret",
        "Secret-named XML element with a literal text",
        XML_ELEMENT,
        skeleton=XML_SKELETON,
    ),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}
