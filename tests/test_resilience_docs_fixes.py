"""What trying the fault fixtures from their docs found: traps closed, options added."""

from __future__ import annotations

import pytest
import requests
import tenacity
from hypothesis import given, settings

from pytest_readiness.resilience import (
    FaultServer,
    FullJitter,
    Respond,
    Script,
    SlowBody,
    TenacityExponential,
    TenacityExponentialJitter,
    TenacityRandomExponential,
    Truncate,
    assert_no_unsafe_retries,
    failures,
    fault_schedules,
)
from pytest_readiness.resilience.server import FaultServerError


def test_positional_slow_body_and_truncate_are_refused() -> None:
    with pytest.raises(TypeError):
        Truncate(b"body", 3)  # type: ignore[misc]
    with pytest.raises(TypeError):
        SlowBody(b"body", 5)  # type: ignore[misc]
    assert Truncate(body=b"body", sent=3).sent == 3


def test_a_fault_that_raises_fails_the_test(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(body="not bytes")))  # type: ignore[arg-type]
    with pytest.raises(requests.RequestException):
        requests.get(fault_server.url, timeout=2)
    with pytest.raises(FaultServerError, match="could not play its script"):
        _ = fault_server.record


def test_closing_reports_an_unread_fault_error() -> None:
    server = FaultServer(Script(Respond(body="not bytes")))  # type: ignore[arg-type]
    with pytest.raises(requests.RequestException):
        requests.get(server.url, timeout=2)
    with pytest.raises(FaultServerError):
        server.close()


@settings(max_examples=60, deadline=None)
@given(fault=failures(kinds={Respond}, statuses=(502, 503, 504), retry_after=True))
def test_statuses_leave_out_what_the_client_does_not_retry(fault: Respond) -> None:
    assert fault.status != 500
    assert fault.status in (200, 502, 503, 504)  # 200 only for answers that come too late


@settings(max_examples=30, deadline=None)
@given(script=fault_schedules(kinds={Respond}, statuses=(502,), retry_after=False))
def test_schedules_take_statuses_too(script: Script) -> None:
    assert all(step.status in (200, 502) for step in script.steps)  # type: ignore[attr-defined]


def test_statuses_must_be_errors() -> None:
    with pytest.raises(ValueError, match="error statuses"):
        failures(statuses=(200,))


def test_tenacity_models_refuse_the_wrong_wait() -> None:
    assert TenacityExponential.of(tenacity.wait_exponential(multiplier=0.1)).multiplier == 0.1
    with pytest.raises(TypeError, match=r"TenacityRandomExponential\.of\(\)"):
        TenacityExponential.of(tenacity.wait_random_exponential(multiplier=0.1))
    with pytest.raises(TypeError, match="wait_exponential_jitter"):
        TenacityExponential.of(tenacity.wait_exponential_jitter())  # type: ignore[arg-type]
    random_model = TenacityRandomExponential.of(tenacity.wait_random_exponential(multiplier=0.1))
    assert random_model.bounds(2, None).low == 0.0
    jitter = TenacityExponentialJitter.of(tenacity.wait_exponential_jitter(jitter=0.5))
    assert jitter.bounds(1, None).high >= 0.5


def test_full_jitter_min_wait_catches_a_client_that_never_sleeps() -> None:
    assert FullJitter(base=0.1).bounds(3, None).low == 0.0
    bounds = FullJitter(base=0.1, min_wait=0.05).bounds(3, None)
    assert (bounds.low, bounds.high) == (0.05, 0.4)
    assert FullJitter(base=0.01, min_wait=0.05).bounds(1, None).low == 0.01  # never above high


def test_a_retried_post_with_the_same_idempotency_key_is_accepted(
    fault_server: FaultServer,
) -> None:
    fault_server.reset(Script(Respond(503), Respond(200)))
    for _ in range(2):
        requests.post(f"{fault_server.url}/pay", data=b"12", timeout=2,
                      headers={"Idempotency-Key": "k-1"})  # fmt: skip
    record = fault_server.record
    assert_no_unsafe_retries(record, idempotency_header="Idempotency-Key")
    with pytest.raises(AssertionError, match="idempotency_header=NAME"):
        assert_no_unsafe_retries(record)


def test_different_or_missing_keys_are_still_unsafe(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(503), Respond(200)))
    requests.post(
        f"{fault_server.url}/pay", data=b"12", timeout=2, headers={"Idempotency-Key": "a"}
    )
    requests.post(f"{fault_server.url}/pay", data=b"12", timeout=2)
    with pytest.raises(AssertionError, match="POST /pay was sent 2 times"):
        assert_no_unsafe_retries(fault_server.record, idempotency_header="Idempotency-Key")
