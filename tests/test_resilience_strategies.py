"""fault_schedules and the property they serve, with a correct client and broken ones."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests
from hypothesis import given, settings

from pytest_readiness.resilience import (
    Close,
    FaultServer,
    Hang,
    Reset,
    Respond,
    Script,
    SlowBody,
    assert_finishes,
    assert_schedule_outcome,
    failures,
    fault_schedules,
)

ATTEMPT_TIMEOUT = 0.1
BUDGET = 3
DEADLINE = 1.0
Client = Callable[[str], bytes]


class GaveUp(Exception):
    pass


def get_once(url: str, *, total_deadline: bool) -> bytes:
    """One attempt; without `total_deadline` it has only a (generous) per-read timeout."""
    start = time.monotonic()
    body = b""
    read_timeout = ATTEMPT_TIMEOUT if total_deadline else 1.0
    with requests.get(url, timeout=read_timeout, stream=True) as response:
        response.raise_for_status()
        for chunk in response.iter_content(chunk_size=1):
            body += chunk
            if total_deadline and time.monotonic() - start > ATTEMPT_TIMEOUT:
                raise TimeoutError("attempt deadline passed")
    return body


def fetch(url: str, *, attempts: int = BUDGET, total_deadline: bool = True) -> bytes:
    """A plain retry loop: bounded attempts, a deadline per attempt, short Retry-After honoured."""
    for attempt in range(1, attempts + 1):
        wait = 0.01
        try:
            return get_once(url, total_deadline=total_deadline)
        except requests.HTTPError as error:
            wait = min(float(error.response.headers.get("Retry-After", wait)), 0.1)
        except (requests.RequestException, TimeoutError):
            pass
        if attempt < attempts:
            time.sleep(wait)
    raise GaveUp(f"no answer in {attempts} attempts")


def check_property(server: FaultServer, script: Script, client: Client) -> None:
    """The property of docs/fixtures.md, for one schedule."""
    server.reset(script)
    finished = assert_finishes(lambda: client(server.url), within=DEADLINE)
    assert_schedule_outcome(
        script, server.record, finished, attempts=BUDGET, attempt_deadline=ATTEMPT_TIMEOUT
    )


@settings(deadline=None, max_examples=15)
@given(script=fault_schedules(attempt_timeout=ATTEMPT_TIMEOUT))
def test_correct_client_succeeds_within_budget_or_fails_within_deadline(
    shared_fault_server: FaultServer, script: Script
) -> None:
    check_property(shared_fault_server, script, fetch)


@pytest.mark.parametrize(
    ("script", "client", "message"),
    [
        pytest.param(
            Script(SlowBody(body=b"x" * 6, chunks=6, interval=0.05), Respond()),
            lambda url: fetch(url, total_deadline=False),
            r"made 1 attempt\(s\) where the schedule calls for 2",
            id="per-read-timeout-only",
        ),
        pytest.param(
            Script(Close(), Reset(), Close(), Respond()),
            lambda url: fetch(url, attempts=10),
            r"made 4 attempt\(s\) where the schedule calls for 3 \(budget 3\)",
            id="budget-exceeded",
        ),
        pytest.param(
            Script(Hang()),
            lambda url: requests.get(url).content,  # the bug under test: no timeout
            r"still running after 1 s",
            id="no-timeout",
        ),
    ],
)
def test_broken_clients_break_the_property(
    shared_fault_server: FaultServer, script: Script, client: Client, message: str
) -> None:
    with pytest.raises(AssertionError, match=message):
        check_property(shared_fault_server, script, client)
    shared_fault_server.reset()  # releases what the broken client is still stuck in


@given(fault_schedules(max_faults=2, kinds={Hang, Close}, retry_after=False))
def test_schedules_are_failures_then_a_final_step(script: Script) -> None:
    *faults, final = script.steps

    assert len(faults) <= 2
    assert all(isinstance(fault, Hang | Close) for fault in faults)
    assert isinstance(final, Hang | Close) or final == Respond()
    assert script.then == "repeat"


@given(failures(attempt_timeout=0.04))
def test_failures_never_answer_in_time(fault: Respond) -> None:
    assert not fault.answers(within=0.04)


def test_unknown_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="non-empty subset"):
        failures(kinds=set())
