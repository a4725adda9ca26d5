"""Health endpoints need no credentials and print none."""

from __future__ import annotations

import json

from pytest_readiness.checks.health.exposure import auth_problem, secret_problems
from pytest_readiness.checks.health.probe import Answer, Prober
from pytest_readiness.checks.secrets.scanner import withhold_secrets
from pytest_readiness.model import Severity
from tests.health_servers import Behaviour, serve_in_thread

URL = "http://127.0.0.1:8000/readyz"
LEAKY_BODY = json.dumps(
    {
        "status": "pass",
        # readiness: allow-secret-next-line (a fake credential the check must find)
        "checks": {"db": [{"status": "pass", "output": "postgres://app:S3cr3tPassw0rd9@db/inv"}]},
    }
)


def test_401_from_a_real_endpoint_is_auth_required() -> None:
    with serve_in_thread(Behaviour(status=401, body="{}")) as server, Prober() as prober:
        problem = auth_problem(prober.probe(server.url))
    assert problem is not None
    assert problem.rule == "auth-required"
    assert "HTTP 401" in problem.message


def test_a_challenge_header_alone_is_auth_required() -> None:
    answer = Answer(url=URL, latency_ms=1, status=200, auth_challenge='Basic realm="ops"')
    assert auth_problem(answer) is not None
    assert auth_problem(Answer(url=URL, latency_ms=1, status=200)) is None
    assert auth_problem(Answer(url=URL, latency_ms=1, error="connection refused")) is None


def test_a_secret_in_the_body_is_critical_and_masked() -> None:
    answer = Answer(url=URL, latency_ms=1, status=200, body=LEAKY_BODY.encode())
    (problem,) = secret_problems(answer)
    assert problem.rule == "secret-in-body"
    assert problem.severity is Severity.CRITICAL
    assert "S3cr3tPassw0rd9" not in problem.message
    assert "S3c...(15 chars)" in problem.message
    assert problem.key is not None
    assert "S3cr3t" not in problem.key


def test_a_plain_health_body_has_no_secret() -> None:
    body = b'{"status": "pass", "checks": {"db": [{"status": "pass", "observedValue": 3}]}}'
    assert secret_problems(Answer(url=URL, latency_ms=1, status=200, body=body)) == []


def test_withhold_secrets_replaces_only_the_lines_holding_one() -> None:
    # readiness: allow-secret-next-line (a fake credential the check must find)
    text = "starting\nconnecting to postgres://app:S3cr3tPassw0rd9@db/inv\nfailed"
    assert withhold_secrets(text) == (
        "starting\n[line withheld: it holds a secret (url-credentials)]\nfailed"
    )
    assert withhold_secrets("nothing to hide") == "nothing to hide"
