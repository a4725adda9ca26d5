"""assert_schedule_outcome: each way a client can break the property, and its message."""

from __future__ import annotations

import pytest

from pytest_readiness.resilience import (
    Exchange,
    Finished,
    Hang,
    Record,
    Respond,
    Script,
    assert_schedule_outcome,
)

SCRIPT = Script(Hang(), Respond(200))


def record_of(count: int) -> Record:
    return Record(
        tuple(
            Exchange("GET", "/", (), b"", SCRIPT.step(index), float(index), float(index) + 0.05)
            for index in range(count)
        )
    )


def check(attempts: int, seen: int, finished: Finished[object]) -> None:
    assert_schedule_outcome(
        SCRIPT, record_of(seen), finished, attempts=attempts, attempt_deadline=0.05
    )


def test_success_within_the_budget_passes() -> None:
    check(attempts=3, seen=2, finished=Finished(b"ok", None, 0.1))


def test_failure_beyond_the_budget_passes() -> None:
    check(attempts=1, seen=1, finished=Finished(None, TimeoutError("late"), 0.05))


def test_extra_attempts_fail() -> None:
    with pytest.raises(AssertionError, match=r"made 2 attempt\(s\) where the schedule calls for 1"):
        check(attempts=1, seen=2, finished=Finished(b"ok", None, 0.1))


def test_giving_up_on_an_answer_in_time_fails() -> None:
    with pytest.raises(AssertionError) as failure:
        check(attempts=3, seen=2, finished=Finished(None, ValueError("bad json"), 0.1))

    message = str(failure.value)
    assert "failed with ValueError: bad json, although attempt 2 answers within 0.05 s" in message
    assert "schedule: hang, 200 (then repeat)" in message
    assert "#2 GET / at +1.000 s -> 200" in message


def test_success_without_an_answer_in_time_fails() -> None:
    with pytest.raises(AssertionError, match="returned b'stale', although no attempt within"):
        check(attempts=1, seen=1, finished=Finished(b"stale", None, 0.1))
