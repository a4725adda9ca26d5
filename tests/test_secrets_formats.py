"""The provider formats learnt from other scanners: found bare, look-alikes left alone."""

from __future__ import annotations

import random
import re
import string

import pytest

from pytest_readiness.checks.secrets.providers import PROVIDER_RULES
from pytest_readiness.checks.secrets.rules import RULES, RULES_BY_ID
from tests.secrets_samples import (
    BASE62,
    HEX,
    MAKERS,
    QUIET,
    URLSAFE,
    age_key,
    base64_json,
    password,
    pick,
    sample,
)
from tests.test_secrets_misses import found

R = random.Random(42)


def value_of(rule: str, seed: int = 0) -> str:
    line = sample(rule, seed).lines[0]
    quoted = re.search(r"[\"']([^\"']+)[\"']", line)
    return quoted.group(1) if quoted else line.split()[-1]


BARE = sorted(
    rule.id
    for rule in RULES
    if (rule.word_start or rule.id in {"age-secret-key", "sentry-dsn", "slack-webhook"})
    and any(keyword in value_of(rule.id).lower() for keyword in rule.keywords)
)
"""Formats with a distinctive prefix (a keyword inside the value): found with no name
around them. Ambiguous formats (Twilio's `SK` + hex) need their provider's word instead."""


ISSUE_FORMATS = {
    "Hugging Face hf_": "huggingface-token",
    "Sentry auth tokens": "sentry-token",
    "Sentry DSNs": "sentry-dsn",
    "Grafana glsa_": "grafana-token",
    "Grafana glc_": "grafana-cloud-token",
    "RubyGems": "rubygems-token",
    "Postman PMAK-": "postman-token",
    "Perplexity pplx-": "perplexity-api-key",
    "Atlassian ATATT": "atlassian-token",
    "Doppler dp.pt.": "doppler-token",
    "Pulumi pul-": "pulumi-token",
    "Terraform Cloud .atlasv1.": "terraform-cloud-token",
    "AGE-SECRET-KEY-1": "age-secret-key",
    "1Password service-account tokens": "onepassword-token",
    "1Password secret keys": "onepassword-secret-key",
    "Groq gsk_": "groq-api-key",
    "xAI xai-": "xai-api-key",
    "Together": "together-api-key",
    "Figma figd_": "figma-token",
    "Vercel": "vercel-token",
    "Supabase sbp_": "supabase-token",
    "Adobe": "adobe-client-secret",
    "Algolia": "algolia-api-key",
    "Cisco Meraki": "meraki-api-key",
    "Airtable PATs": "airtable-token",
    "Asana": "asana-token",
    "Bitbucket": "atlassian-token",
    "Beamer": "beamer-api-key",
    "Linear": "linear-api-key",
    "Notion": "notion-token",
    "Mapbox": "mapbox-secret-token",
    "Dropbox": "dropbox-token",
    "Shippo": "shippo-token",
    "Okta": "okta-api-token",
    "New Relic": "new-relic-key",
    "PlanetScale": "planetscale-token",
    "Prefect": "prefect-api-key",
    "Replicate": "replicate-api-token",
    "Scaleway": "scaleway-secret-key",
    "Fly.io": "flyio-token",
    "Netlify": "netlify-token",
    "Cloudflare tokens": "cloudflare-token",
    "Cloudflare keys": "cloudflare-api-key",
    "Contentful": "contentful-token",
    "Confluent": "confluent-api-secret",
}
"""The formats issue 15 names, each with the rule that finds it."""


def test_every_format_of_the_issue_has_a_rule_a_sample_and_look_alikes() -> None:
    assert len(ISSUE_FORMATS) >= 42
    assert set(ISSUE_FORMATS.values()) == {rule.id for rule in PROVIDER_RULES}
    assert set(ISSUE_FORMATS.values()) <= set(MAKERS) & set(LOOK_ALIKES)


@pytest.mark.parametrize("rule", BARE)
@pytest.mark.parametrize(
    "template",
    [
        'curl -H "Authorization: Bearer {}" https://api.internal/v1',
        "The key {} was rotated.",
        "{}",
    ],
)
def test_distinctive_formats_are_found_bare(rule: str, template: str) -> None:
    value = value_of(rule)
    if rule == "url-credentials" or " " in value:
        pytest.skip("not a single token")
    assert [item[0] for item in found(template.format(value), "notes.txt")] == [rule]


def _bad_age_key() -> str:
    key = age_key(R)
    return key[:-1] + ("Q" if key[-1] != "Q" else "P")


LOOK_ALIKES: dict[str, list[str]] = {
    "django-insecure-key": ["SECRET_KEY = 'django-" + "insecure-short'"],
    "huggingface-token": ["t = 'h" + "f_" + pick(R, string.ascii_letters, 33) + "1'"],
    "sentry-token": [
        "t = 'sntr" + "ys_eyJ" + pick(R, BASE62, 80) + "_" + pick(R, BASE62, 43) + "'",
        "t = 'sntr" + "yu_" + pick(R, HEX, 63) + "'",
    ],
    "sentry-dsn": [
        "dsn = 'https://" + pick(R, HEX, 31) + "@o1.ingest.sentry.io/1'",
        "dsn = 'https://" + pick(R, HEX, 32) + "@sentry.example.invalid/1'",
    ],
    "grafana-token": ["t = 'gl" + "sa_" + pick(R, BASE62, 32) + "_zzzzzzzz'"],
    "grafana-cloud-token": ["t = 'gl" + "c_eyJ" + pick(R, BASE62, 60) + "'"],
    "rubygems-token": ["t = 'rubygems" + "_" + pick(R, "ghijklmnop", 48) + "'"],
    "postman-token": ["t = 'PM" + "AK-" + pick(R, HEX, 23) + "-" + pick(R, HEX, 34) + "'"],
    "perplexity-api-key": ["t = 'pp" + "lx-" + pick(R, BASE62, 47) + "'"],
    "atlassian-token": ["t = 'ATA" + "TT3" + pick(R, BASE62, 185) + "'"],
    "doppler-token": ["t = 'dp." + "pt." + pick(R, BASE62, 39) + "'"],
    "pulumi-token": ["t = 'pu" + "l-" + pick(R, "ghijklmnop", 40) + "'"],
    "terraform-cloud-token": ["t = '" + pick(R, BASE62, 14) + ".atlas" + "v1.short'"],
    "age-secret-key": [_bad_age_key()],
    "onepassword-token": ["t = 'op" + "s_eyJ" + pick(R, BASE62, 300) + "'"],
    "onepassword-secret-key": [
        "k = 'A3-" + "-".join(pick(R, "abcdefgh", n) for n in (6, 11, 5, 5, 5)) + "'"
    ],
    "groq-api-key": ["t = 'gs" + "k_" + pick(R, BASE62, 51) + "'"],
    "xai-api-key": ["t = 'xa" + "i-" + pick(R, string.ascii_lowercase, 80) + "'"],
    "together-api-key": ["t = 'tgp_" + "v1_" + pick(R, BASE62, 42) + "'"],
    "figma-token": ["t = 'fi" + "gd_" + pick(R, BASE62, 30) + "'"],
    "vercel-token": [
        "t = 'vc" + "x_" + pick(R, BASE62, 56) + "'",
        "t = 'vc" + "p_" + pick(R, BASE62, 55) + "'",
    ],
    "supabase-token": ["t = 'sb" + "p_" + pick(R, "GHIJKLMNOP", 40) + "'"],
    "adobe-client-secret": ["t = 'p8" + "e-" + pick(R, BASE62, 31) + "'"],
    "algolia-api-key": ["# algolia search\nCOMMIT = '" + pick(R, HEX, 32) + "'"],
    "meraki-api-key": ["# meraki dashboard\nCOMMIT_SHA = '" + pick(R, HEX, 40) + "'"],
    "airtable-token": [
        "t = 'pa" + "t" + pick(R, BASE62, 14) + "." + pick(R, HEX, 63) + "'",
        "t = 'xpa" + "t" + pick(R, BASE62, 14) + "." + pick(R, HEX, 64) + "'",
    ],
    "asana-token": ["ASANA_PROJECT = '1/" + pick(R, string.digits, 16) + "'"],
    "beamer-api-key": ["BEAMER_KEY = 'b" + "_" + pick(R, BASE62, 43) + "'"],
    "linear-api-key": ["t = 'lin" + "_api_" + pick(R, BASE62, 39) + "'"],
    "notion-token": ["t = 'nt" + "n_" + pick(R, BASE62, 46) + "'"],
    "mapbox-secret-token": ["t = 'sk.eyJ" + pick(R, BASE62, 40) + "." + pick(R, URLSAFE, 22) + "'"],
    "dropbox-token": [
        "t = 'sl" + ".u." + pick(R, string.ascii_lowercase, 150) + "'",
        "t = 'ssl" + ".u." + pick(R, BASE62, 150) + "'",
    ],
    "shippo-token": ["t = 'shippo_" + "live_" + pick(R, HEX, 39) + "'"],
    "okta-api-token": ["SESSION_ID = '00" + pick(R, URLSAFE, 40) + "'"],
    "new-relic-key": ["t = 'NR" + "AK-" + pick(R, string.ascii_uppercase, 26) + "'"],
    "planetscale-token": ["t = 'pscale_" + "tkn_" + pick(R, BASE62, 20) + "'"],
    "prefect-api-key": ["t = 'pn" + "u_" + pick(R, BASE62, 35) + "'"],
    "replicate-api-token": ["t = 'r8" + "_" + pick(R, BASE62, 36) + "'"],
    "scaleway-secret-key": ["SCW_PROJECT_ID = '" + "1b2c3d4e-aaaa-4bbb-8ccc-0123abcd4567" + "'"],
    "flyio-token": ["t = 'fo" + "1_" + pick(R, URLSAFE, 42) + "'"],
    "netlify-token": ["t = 'nf" + "p_" + pick(R, BASE62, 35) + "'"],
    "cloudflare-token": ["t = 'cf" + "ut_" + pick(R, BASE62, 40) + "zzzzzzzz'"],
    "cloudflare-api-key": ["CLOUDFLARE_ZONE = '" + pick(R, string.ascii_lowercase, 40) + "'"],
    "contentful-token": ["t = 'CF" + "PAT-" + pick(R, URLSAFE, 42) + "'"],
    "confluent-api-secret": ["CONFLUENT_TOPIC = '" + pick(R, string.ascii_lowercase, 64) + "'"],
    "url-token": [
        "u = 'https://deploy@git.internal/acme/app.git'",
        "u = 'https://" + pick(R, string.ascii_lowercase, 40) + "@git.internal/a.git'",
    ],
    "curl-basic-auth": ["curl -u $USER:$TOKEN https://api.internal/"],
    "secret-fallback": [
        "DEBUG = os.getenv('DEBUG', '" + password(R) + "')",
        "T = os.getenv('API_TOKEN', '${API_TOKEN}')",
    ],
    "xml-secret": [
        "<password_field>" + password(R) + "</password_field>",
        "<password>${DB_PASSWORD}</password>",
    ],
}


def test_every_new_rule_has_look_alikes() -> None:
    new = {rule.id for rule in PROVIDER_RULES} | {
        "django-insecure-key",
        "url-token",
        "curl-basic-auth",
        "secret-fallback",
        "xml-secret",
    }
    assert new <= set(LOOK_ALIKES)
    assert set(LOOK_ALIKES) <= set(RULES_BY_ID)


@pytest.mark.parametrize(
    ("rule", "text"), [(rule, text) for rule, texts in LOOK_ALIKES.items() for text in texts]
)
def test_look_alikes_stay_quiet(rule: str, text: str) -> None:
    path = "settings.xml" if rule == "xml-secret" else "deploy.sh" if "curl" in text else "app.py"
    reported = [item[0] for item in found(text, path)]
    if rule == "sentry-dsn":
        assert reported == ["url-token"], "a hex user name in a URL is still a token"
    else:
        assert reported == []


def test_age_checksum_is_what_tells_a_key_from_a_look_alike() -> None:
    key = age_key(R)
    assert found(f"# {key}") == [("age-secret-key", 1)]
    assert RULES_BY_ID["age-secret-key"].verified


def test_structured_tokens_need_their_json() -> None:
    body = base64_json({"o": "1", "n": "x", "k": pick(R, QUIET, 24)})
    assert found("t = 'gl" + f"c_{body}'") == [("grafana-cloud-token", 1)]
    assert found("t = 'gl" + f"c_{body[::-1]}'") == []
