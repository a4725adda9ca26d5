"""Provider token formats that the leading scanners know, taken from their rule sets.

The prefixes, alphabets and lengths follow betterleaks' default configuration (itself
drawn from the providers' documents); where a format says more than its shape, that is
checked too: Age keys are Bech32 with a checksum, and Grafana Cloud, Sentry organisation,
1Password and Mapbox tokens carry base64 of a JSON object.

Most formats start with a distinctive prefix (`hf_`, `glsa_`, `pplx-`) and are found with no
name around them. A few are only a length and an alphabet (Algolia, Okta, Meraki); those
need the provider's name just before the value (`_near`), never randomness alone. Formats
with a checksum (Age's Bech32) or a structure (base64 of a JSON object with fixed keys) are
checked, so a value that could never have been issued is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pytest_readiness.checks.secrets.rule import Rule
from pytest_readiness.checks.secrets.validation import base64_json_keys, bech32_valid

_END = r"(?![0-9A-Za-z_-])"


def _near(provider: str, value: str) -> re.Pattern[str]:
    """The provider's name, a short rest of the variable's name, then the value (lower case)."""
    return re.compile(
        rf"(?:{provider})[\w.-]{{0,20}}[\"']?\]?\s*(?::=|=>|[:=,])\s*[\"'`]?"
        rf"(?P<secret>{value})(?![\w+/=-])"
    )


def _json_with(*keys: str, cut: int = 0, part: int = 0) -> Callable[[str], bool]:
    """Whether the value, less `cut` prefix characters, holds base64 JSON with `keys`.

    `part` picks a `.`-separated part (a Mapbox token's payload is the second).
    """

    def check(value: str) -> bool:
        pieces = value[cut:].split(".")
        return len(pieces) > part and set(keys) <= base64_json_keys(pieces[part])

    return check


def _sentry_org_token(value: str) -> bool:
    return {"iat", "url"} <= base64_json_keys(value[len("sntrys_") :].rsplit("_", 1)[0])


PROVIDER_RULES: tuple[Rule, ...] = (
    Rule(
        "huggingface-token",
        "Hugging Face user or organisation access token",
        ("hf_", "api_org_"),
        re.compile(rf"(?P<secret>(?:hf_|api_org_)[A-Za-z]{{34}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "sentry-token",
        "Sentry organisation or user auth token",
        ("sntrys_", "sntryu_"),
        re.compile(
            r"(?P<secret>sntrys_eyJ[A-Za-z0-9+/]{20,400}={0,2}_[A-Za-z0-9+/]{43}"
            rf"|sntryu_[0-9a-f]{{64}}){_END}"
        ),
        min_entropy=3.0,
        word_start=True,
        check=lambda value: value.startswith("sntryu_") or _sentry_org_token(value),
    ),
    Rule(
        "sentry-dsn",
        "Sentry DSN (its key lets anyone send events to the project)",
        ("sentry.io",),
        re.compile(r"https?://(?P<secret>[0-9a-f]{32})(?::[0-9a-f]{32})?@[\w.-]*sentry\.io/\d+"),
        min_entropy=3.0,
        severity="medium",
    ),
    Rule(
        "grafana-token",
        "Grafana service account token",
        ("glsa_",),
        re.compile(rf"(?P<secret>glsa_[A-Za-z0-9]{{32}}_[A-Fa-f0-9]{{8}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "grafana-cloud-token",
        "Grafana Cloud access policy token or Grafana API key",
        ("glc_", "eyjrijoi"),
        re.compile(
            r"(?P<secret>glc_eyJ[A-Za-z0-9+/]{32,400}={0,2}|eyJrIjoi[A-Za-z0-9+/]{40,380}={0,2})"
        ),
        word_start=True,
        check=lambda value: bool(base64_json_keys(value.removeprefix("glc_")) & {"k"}),
    ),
    Rule(
        "rubygems-token",
        "RubyGems API key",
        ("rubygems_",),
        re.compile(rf"(?P<secret>rubygems_[0-9a-f]{{48}}){_END}"),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "postman-token",
        "Postman API key",
        ("pmak-",),
        re.compile(rf"(?P<secret>PMAK-[0-9a-f]{{24}}-[0-9a-f]{{34}}){_END}"),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "perplexity-api-key",
        "Perplexity API key",
        ("pplx-",),
        re.compile(rf"(?P<secret>pplx-[A-Za-z0-9]{{48}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "atlassian-token",
        "Atlassian API token or Bitbucket app password",
        ("atatt3", "atbb", "bbdc-"),
        re.compile(
            r"(?P<secret>ATATT3[A-Za-z0-9_=-]{186}|ATBB[A-Za-z0-9]{32}"
            rf"|BBDC-[A-Za-z0-9+/=]{{32,}}){_END}"
        ),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "doppler-token",
        "Doppler personal, service, service account, CLI, SCIM or audit token",
        ("dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."),
        re.compile(
            r"(?P<secret>dp\.(?:pt|st(?:\.[a-z0-9_-]{1,30})?|sa|ct|scim|audit)\."
            rf"[A-Za-z0-9]{{40,44}}){_END}"
        ),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "pulumi-token",
        "Pulumi access token",
        ("pul-",),
        re.compile(rf"(?P<secret>pul-[0-9a-f]{{40}}){_END}"),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "terraform-cloud-token",
        "HCP Terraform (Terraform Cloud) user, team or organisation token",
        ("atlasv1",),
        re.compile(rf"(?P<secret>[A-Za-z0-9]{{14}}\.atlasv1\.[A-Za-z0-9_=-]{{60,70}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "age-secret-key",
        "age encryption secret key",
        ("age-secret-key-1",),
        re.compile(r"(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})"),
        check=bech32_valid,
        verified=True,
    ),
    Rule(
        "onepassword-token",
        "1Password service account token",
        ("ops_eyj",),
        re.compile(r"(?P<secret>ops_eyJ[A-Za-z0-9+/]{250,}={0,3})"),
        word_start=True,
        check=_json_with("signInAddress", cut=len("ops_")),
    ),
    Rule(
        "onepassword-secret-key",
        "1Password account secret key",
        ("a3-",),
        re.compile(
            r"(?P<secret>A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})"
            rf"-[A-Z0-9]{{5}}-[A-Z0-9]{{5}}-[A-Z0-9]{{5}}){_END}"
        ),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "groq-api-key",
        "Groq API key",
        ("gsk_",),
        re.compile(rf"(?P<secret>gsk_[A-Za-z0-9]{{52}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "xai-api-key",
        "xAI API key",
        ("xai-",),
        re.compile(rf"(?P<secret>xai-[A-Za-z0-9_-]{{70,120}}){_END}"),
        min_entropy=4.0,
        min_classes=3,
        word_start=True,
    ),
    Rule(
        "together-api-key",
        "Together AI API key",
        ("tgp_v1_",),
        re.compile(rf"(?P<secret>tgp_v1_[A-Za-z0-9_-]{{43}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "figma-token",
        "Figma personal access token",
        ("figd_",),
        re.compile(rf"(?P<secret>figd_[A-Za-z0-9_-]{{38,42}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "vercel-token",
        "Vercel personal, integration, app or AI gateway token",
        ("vcp_", "vci_", "vca_", "vcr_", "vck_"),
        re.compile(rf"(?P<secret>vc[piark]_[A-Za-z0-9_-]{{56}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "supabase-token",
        "Supabase management token or secret API key",
        ("sbp_", "sb_secret_"),
        re.compile(rf"(?P<secret>sbp_[0-9a-f]{{40}}|sb_secret_[A-Za-z0-9_-]{{31}}){_END}"),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "adobe-client-secret",
        "Adobe OAuth client secret",
        ("p8e-",),
        re.compile(rf"(?P<secret>p8e-[A-Za-z0-9]{{32}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "algolia-api-key",
        "Algolia admin or write API key next to the word algolia",
        ("algolia",),
        _near("algolia", r"[0-9a-f]{32}"),
        on_lowered=True,
        min_entropy=3.0,
    ),
    Rule(
        "meraki-api-key",
        "Cisco Meraki API key next to the word meraki",
        ("meraki",),
        _near("meraki", r"[0-9a-f]{40}"),
        on_lowered=True,
        min_entropy=3.0,
    ),
    Rule(
        "airtable-token",
        "Airtable personal access token",
        ("pat",),
        re.compile(rf"(?P<secret>pat[A-Za-z0-9]{{14}}\.[0-9a-f]{{64}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "asana-token",
        "Asana personal access token next to the word asana",
        ("asana",),
        _near("asana", r"[012]/\d{15,16}(?:/\d{15,16})?:[0-9a-f]{32}"),
        on_lowered=True,
        min_entropy=3.0,
    ),
    Rule(
        "beamer-api-key",
        "Beamer API key next to the word beamer",
        ("beamer",),
        _near("beamer", r"b_[a-z0-9=_-]{44}"),
        on_lowered=True,
        min_entropy=3.5,
    ),
    Rule(
        "linear-api-key",
        "Linear API key",
        ("lin_api_",),
        re.compile(rf"(?P<secret>lin_api_[A-Za-z0-9]{{40}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "notion-token",
        "Notion integration token",
        ("ntn_",),
        re.compile(rf"(?P<secret>ntn_\d{{11}}[A-Za-z0-9]{{35}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "mapbox-secret-token",
        "Mapbox secret access token",
        ("sk.eyj",),
        re.compile(rf"(?P<secret>sk\.eyJ[A-Za-z0-9_-]{{10,200}}\.[A-Za-z0-9_-]{{22}}){_END}"),
        word_start=True,
        check=_json_with("u", part=1),
    ),
    Rule(
        "dropbox-token",
        "Dropbox short-lived access token",
        ("sl.",),
        re.compile(rf"(?P<secret>sl\.(?:u\.)?[A-Za-z0-9_-]{{130,1200}}){_END}"),
        min_entropy=4.0,
        min_classes=3,
        word_start=True,
    ),
    Rule(
        "shippo-token",
        "Shippo live or test API token",
        ("shippo_live_", "shippo_test_"),
        re.compile(rf"(?P<secret>shippo_(?:live|test)_[0-9a-fA-F]{{40}}){_END}"),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "okta-api-token",
        "Okta API token next to the word okta",
        ("okta",),
        _near("okta", r"00[a-z0-9_-]{40}"),
        on_lowered=True,
        min_entropy=3.5,
    ),
    Rule(
        "new-relic-key",
        "New Relic user, browser, insert or license key",
        ("nrak-", "nrjs-", "nrii-"),
        re.compile(
            r"(?P<secret>NRAK-[A-Z0-9]{27}|NRJS-[0-9a-f]{19}|NRII-[A-Za-z0-9_-]{32}"
            rf"|[0-9a-f]{{36}}NRAL){_END}"
        ),
        exact_keywords=("NRAL",),
        min_entropy=3.0,
        word_start=True,
    ),
    Rule(
        "planetscale-token",
        "PlanetScale service token, password or OAuth token",
        ("pscale_tkn_", "pscale_pw_", "pscale_oauth_"),
        re.compile(rf"(?P<secret>pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{{32,64}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "prefect-api-key",
        "Prefect Cloud API key",
        ("pnu_",),
        re.compile(rf"(?P<secret>pnu_[A-Za-z0-9]{{36}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "replicate-api-token",
        "Replicate API token",
        ("r8_",),
        re.compile(rf"(?P<secret>r8_[A-Za-z0-9]{{37}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "scaleway-secret-key",
        "Scaleway secret key next to the word scaleway or scw",
        ("scaleway", "scw"),
        _near(
            r"(?:scaleway|scw)[\w.-]{0,20}?(?:secret|token)",
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        ),
        on_lowered=True,
        min_entropy=3.0,
    ),
    Rule(
        "flyio-token",
        "Fly.io access, deploy or organisation token",
        ("fm1r_", "fm1a_", "fm2_", "fo1_"),
        re.compile(
            rf"(?P<secret>fm(?:1[ar]|2)_[A-Za-z0-9+/=_-]{{100,}}|fo1_[A-Za-z0-9_-]{{43}}){_END}"
        ),
        min_entropy=4.0,
        word_start=True,
    ),
    Rule(
        "netlify-token",
        "Netlify personal access token",
        ("nfp_",),
        re.compile(rf"(?P<secret>nfp_[A-Za-z0-9]{{36}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "cloudflare-token",
        "Cloudflare user or account API token, or Origin CA key",
        ("cfut_", "cfat_", "v1.0-"),
        re.compile(
            r"(?P<secret>cf[ua]t_[A-Za-z0-9]{40}[0-9a-f]{8}"
            rf"|v1\.0-[0-9a-f]{{24}}-[0-9a-f]{{146}}){_END}"
        ),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "cloudflare-api-key",
        "Cloudflare API token or global API key next to the word cloudflare",
        ("cloudflare",),
        _near("cloudflare", r"[a-z0-9_-]{40}|[0-9a-f]{37}"),
        on_lowered=True,
        min_entropy=3.5,
        min_classes=2,
    ),
    Rule(
        "contentful-token",
        "Contentful personal access token",
        ("cfpat-",),
        re.compile(rf"(?P<secret>CFPAT-[A-Za-z0-9_-]{{43}}){_END}"),
        min_entropy=3.5,
        word_start=True,
    ),
    Rule(
        "confluent-api-secret",
        "Confluent Cloud API secret next to the word confluent",
        ("confluent",),
        _near("confluent", r"[a-z0-9+/]{64}"),
        on_lowered=True,
        min_entropy=4.0,
        min_classes=2,
    ),
)
