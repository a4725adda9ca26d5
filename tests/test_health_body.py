"""Body expectations: JSON keys and values, health+json status and checks, status agreement."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.health.body import (
    HEALTH_JSON,
    MISSING,
    HealthReport,
    body_problems,
    health_report,
    lookup,
    parse_health,
)
from pytest_readiness.checks.health.probe import Answer
from pytest_readiness.checks.health.settings import HealthEntry
from pytest_readiness.model import Severity

URL = "http://127.0.0.1:8000/healthz"


def _answer(status: int, body: Any, content_type: str = HEALTH_JSON) -> Answer:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Answer(url=URL, latency_ms=1.0, status=status, content_type=content_type, body=raw)


def _entry(**settings: Any) -> HealthEntry:
    return HealthEntry(name="api", url=URL, **settings)


def _rules(answer: Answer, entry: HealthEntry) -> list[str]:
    return [problem.rule for problem in body_problems(answer, entry)]


def test_passing_health_json_with_2xx_has_no_problem() -> None:
    body = {"status": "pass", "checks": {"db:connections": [{"status": "pass"}]}}
    assert body_problems(_answer(200, body), _entry()) == []


@pytest.mark.parametrize(
    ("status", "word"), [(200, "fail"), (204, "down"), (503, "pass"), (500, "warn")]
)
def test_status_and_body_must_agree(status: int, word: str) -> None:
    problems = body_problems(_answer(status, {"status": word}), _entry())
    assert problems[0].rule == "status-body-mismatch"
    assert f"HTTP {status}" in problems[0].message


def test_fail_with_503_agrees_and_names_the_failing_checks() -> None:
    body = {"status": "fail", "checks": {"db": [{"status": "fail"}], "cache": {"status": "pass"}}}
    answer = _answer(503, body)
    assert body_problems(answer, _entry()) == []
    assert health_report(answer, _entry()) == HealthReport("fail", ("db",), ())


def test_warn_is_a_medium_risk_naming_the_components() -> None:
    body = {"status": "warn", "checks": {"disk:utilization": [{"status": "warn"}]}}
    (problem,) = body_problems(_answer(200, body), _entry())
    assert problem.rule == "health-warn"
    assert problem.severity is Severity.MEDIUM
    assert "disk:utilization" in problem.message


def test_pass_with_a_component_in_warn_is_also_a_risk() -> None:
    body = {"status": "pass", "checks": {"queue": [{"status": "warn"}]}}
    assert _rules(_answer(200, body), _entry()) == ["health-warn"]


def test_health_json_without_a_status_is_a_body_mismatch() -> None:
    assert _rules(_answer(200, {"healthy": True}), _entry()) == ["body-mismatch"]


def test_plain_json_is_judged_as_health_json_only_when_configured() -> None:
    answer = _answer(200, {"status": "fail"}, content_type="application/json")
    assert _rules(answer, _entry()) == []
    assert _rules(answer, _entry(body_format="health+json")) == ["status-body-mismatch"]


def test_expected_keys_and_values() -> None:
    body = {"status": "pass", "version": "1.2", "checks": {"db": [{"status": "pass"}]}}
    entry = _entry(
        expect_keys=["checks.db", "checks.cache"],
        expect_json={"version": "1.3", "checks.db.0.status": "pass", "uptime": 5},
    )
    messages = [problem.message for problem in body_problems(_answer(200, body), entry)]
    assert messages == [
        f"{URL}: the body has no `checks.cache`",
        f"{URL}: `version` is '1.2', expected '1.3'",
        f"{URL}: the body has no `uptime`",
    ]


def test_a_body_that_is_not_json_when_json_is_expected() -> None:
    answer = _answer(200, b"OK", content_type="text/plain")
    assert _rules(answer, _entry()) == []
    assert _rules(answer, _entry(body_format="json")) == ["body-mismatch"]
    assert _rules(answer, _entry(expect_keys=["status"])) == ["body-mismatch"]


def test_long_values_are_shortened_in_messages() -> None:
    entry = _entry(expect_json={"status": "pass"})
    (problem,) = body_problems(_answer(200, {"status": "x" * 500}, "application/json"), entry)
    assert len(problem.message) < 150


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"status": "UP"}, HealthReport("pass")),
        (
            {"status": "ok", "checks": {"a": [{"status": "error"}, {"status": "pass"}]}},
            HealthReport("pass", ("a",)),
        ),
        ({"status": "maybe"}, None),
        (["pass"], None),
        ({"status": "warn", "checks": "broken"}, HealthReport("warn")),
    ],
)
def test_parse_health(document: Any, expected: HealthReport | None) -> None:
    assert parse_health(document) == expected


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text("abc", min_size=1, max_size=3), children, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.text("abcd", min_size=1, max_size=3), json_values, min_size=1))
def test_lookup_finds_every_top_level_key_and_nothing_else(document: dict[str, Any]) -> None:
    for key, value in document.items():
        assert lookup(document, key) == value
    assert lookup(document, "zzz") is MISSING
    assert lookup(document, "zzz.a") is MISSING


def test_lookup_walks_objects_and_lists() -> None:
    document = {"checks": {"db": [{"status": "pass"}]}}
    assert lookup(document, "checks.db.0.status") == "pass"
    assert lookup(document, "checks.db.1.status") is MISSING
    assert lookup(document, "checks.db.x") is MISSING
