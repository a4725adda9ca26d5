"""Readiness evidence that a misbehaving supplier cannot take the inventory service down.

Each test points the real supplier client at a scripted fault server and checks, on the wire,
how many attempts it made and how long it waited between them. The policy is shrunk to tens of
milliseconds so the evidence costs little time; its shape is the production one.
"""

from __future__ import annotations

import json

import pytest
from example_service.supplier import RetryPolicy, SupplierClient, SupplierError, parse_retry_after
from hypothesis import given, settings

from pytest_readiness.resilience import (
    Close,
    FaultServer,
    FullJitter,
    Hang,
    Reset,
    Respond,
    RetryAfter,
    Script,
    SlowBody,
    Truncate,
    assert_finishes,
    assert_retries,
    assert_schedule_outcome,
    assert_times_out,
    fault_schedules,
)

POLICY = RetryPolicy(
    attempts=3, attempt_timeout=0.1, deadline=1.0, backoff_base=0.02, backoff_cap=0.05
)
BACKOFF = FullJitter(base=POLICY.backoff_base, cap=POLICY.backoff_cap)
STOCK = Respond(200, json.dumps({"item": "bolts", "quantity": 7}).encode())


def client(server: FaultServer) -> SupplierClient:
    return SupplierClient(server.url, POLICY)


@pytest.mark.readiness(id="supplier-retries", category="reliability", severity="high")
@pytest.mark.parametrize(
    "fault",
    [Respond(503), Respond(500), Close(), Reset(), Truncate(), Hang(), Respond(delay=0.3)],
    ids=str,
)
def test_stock_read_survives_two_failures(fault_server: FaultServer, fault: Respond) -> None:
    fault_server.reset(Script(fault, fault, STOCK))

    assert client(fault_server).stock("bolts") == 7

    assert_retries(fault_server.record, attempts=3, backoff=BACKOFF, timeout=POLICY.attempt_timeout)


@pytest.mark.readiness(id="supplier-retry-after", category="reliability", severity="high")
def test_stock_read_waits_as_long_as_the_supplier_asks(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(429, retry_after=RetryAfter(0.1)), STOCK))

    assert client(fault_server).stock("bolts") == 7

    assert_retries(fault_server.record, attempts=2, backoff=BACKOFF, respects_retry_after=True)


@pytest.mark.readiness(id="supplier-retry-after", category="reliability", severity="high")
def test_retry_after_beyond_the_deadline_fails_at_once(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(503, retry_after=RetryAfter(30)), STOCK))

    error = assert_times_out(
        lambda: client(fault_server).stock("bolts"), within=0.5, raises=SupplierError
    )

    assert "would pass the 1 s deadline" in str(error)
    assert fault_server.record.attempts == 1


@pytest.mark.readiness(id="supplier-deadline", category="reliability", severity="high")
@pytest.mark.parametrize(
    "fault", [Hang(), SlowBody(body=b"{}" * 10, chunks=20, interval=0.02)], ids=str
)
def test_stock_read_gives_up_within_its_deadline(fault_server: FaultServer, fault: Hang) -> None:
    fault_server.reset(Script(fault))

    assert_times_out(lambda: client(fault_server).stock("bolts"), within=0.9, raises=SupplierError)

    assert fault_server.record.attempts == POLICY.attempts


@pytest.mark.readiness(id="supplier-orders-not-retried", category="reliability", severity="high")
@pytest.mark.parametrize("fault", [Reset(), Close(), Hang(), Respond(503)], ids=str)
def test_an_order_is_never_sent_twice(fault_server: FaultServer, fault: Reset) -> None:
    fault_server.reset(Script(fault, Respond(201, b'{"order_id": "o-1"}')))

    with pytest.raises(SupplierError):
        client(fault_server).order("bolts", 5)

    assert_retries(fault_server.record, attempts=1)


@pytest.mark.readiness(id="supplier-resilience", category="reliability", severity="high")
@settings(deadline=None, max_examples=8)
@given(script=fault_schedules(attempt_timeout=POLICY.attempt_timeout, success=STOCK))
def test_any_schedule_succeeds_within_budget_or_fails_within_deadline(
    shared_fault_server: FaultServer, script: Script
) -> None:
    shared_fault_server.reset(script)

    finished = assert_finishes(
        lambda: client(shared_fault_server).stock("bolts"), within=POLICY.deadline + 0.5
    )

    assert_schedule_outcome(
        script,
        shared_fault_server.record,
        finished,
        attempts=POLICY.attempts,
        attempt_deadline=POLICY.attempt_timeout,
    )


@pytest.mark.parametrize(
    ("header", "wait"),
    [
        (None, None),
        ("2", 2.0),
        ("0.25", 0.25),
        ("Thu, 01 Jan 1970 00:01:40 GMT", 40.0),
        ("soon", None),
    ],
)
def test_retry_after_forms(header: str | None, wait: float | None) -> None:
    assert parse_retry_after(header, now=60.0) == wait
