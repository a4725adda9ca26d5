"""What a health endpoint must not expose or demand: credentials either way.

The kubelet and load balancers probe without credentials, so an endpoint behind auth is down
to them; and an endpoint anyone can call must not print secrets (connection strings, tokens).
"""

from __future__ import annotations

from pytest_readiness.checks.health.probe import Answer
from pytest_readiness.checks.health.problem import Problem
from pytest_readiness.checks.secrets.scanner import scan_text
from pytest_readiness.model import Severity

AUTH_STATUSES = (401, 403)
BODY_PATH = "health-body.json"
"""The body is scanned as a JSON file would be, so the config rules (`password: ...`) apply."""


def auth_problem(answer: Answer) -> Problem | None:
    """A finding when the endpoint refused the probe for want of credentials."""
    if answer.status not in AUTH_STATUSES and not answer.auth_challenge:
        return None
    return Problem(
        "auth-required",
        f"{answer.url} answered HTTP {answer.status} asking for credentials; "
        "probes send none, so to the orchestrator the service is down",
        fix="serve health endpoints without authentication (they reveal only pass/fail)",
        key=answer.url,
    )


def secret_problems(answer: Answer) -> list[Problem]:
    """Secrets in the body, found by the secrets check's own rules, shown masked."""
    return [
        Problem(
            "secret-in-body",
            f"{answer.url} exposes a secret ({match.rule}, {match.preview}) to anyone who asks",
            severity=Severity.CRITICAL,
            fix="report only pass/fail per component; rotate the exposed credential",
            key=match.secret_hash,
        )
        for match in scan_text(answer.text(), BODY_PATH)
    ]
