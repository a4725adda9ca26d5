"""The resilience property, checked for one schedule: the right outcome within the budget.

A hypothesis test draws a schedule (`fault_schedules()`), resets the server to it, runs the
client under `assert_finishes` (never hangs, total deadline) and hands the result here.
"""

from __future__ import annotations

from pytest_readiness.resilience.faults import Script
from pytest_readiness.resilience.record import Record
from pytest_readiness.resilience.timeouts import Finished


def assert_schedule_outcome(
    script: Script,
    record: Record,
    finished: Finished[object],
    *,
    attempts: int,
    attempt_deadline: float,
) -> None:
    """Fail unless the client spent exactly the attempts the schedule calls for, and succeeded
    exactly when a step within its budget of `attempts` answers within `attempt_deadline`.
    """
    expected = script.expect(attempts=attempts, attempt_deadline=attempt_deadline)
    context = f"\nschedule: {script}\nrequests seen:\n{record.describe()}"
    if record.attempts != expected.attempts:
        raise AssertionError(
            f"the client made {record.attempts} attempt(s) where the schedule calls for"
            f" {expected.attempts} (budget {attempts})" + context
        )
    if finished.error is not None and expected.succeeds:
        raise AssertionError(
            f"the client failed with {type(finished.error).__name__}: {finished.error}, although"
            f" attempt {expected.attempts} answers within {attempt_deadline:g} s" + context
        )
    if finished.error is None and not expected.succeeds:
        raise AssertionError(
            f"the client returned {finished.value!r}, although no attempt within its budget"
            f" of {attempts} answers within {attempt_deadline:g} s" + context
        )
