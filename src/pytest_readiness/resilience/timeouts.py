"""Deadline assertions that can never hang the test run.

The call runs on a daemon thread and the test waits for it only as long as the bound allows. A
call that overruns is left behind on its thread (Python cannot kill a thread); resetting or
closing the fault server releases the hang it is stuck in, so it ends soon after.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Finished(Generic[T]):
    """How a bounded call ended: its value or the exception it raised, and how long it took."""

    value: T | None
    error: BaseException | None
    elapsed: float


def assert_finishes(call: Callable[[], T], *, within: float) -> Finished[T]:
    """Run `call` and fail if it has not returned or raised after `within` seconds."""
    outcome: list[Finished[T]] = []
    start = time.monotonic()

    def run() -> None:
        try:
            value = call()
        except BaseException as error:  # handed back to the test, not swallowed
            outcome.append(Finished(None, error, time.monotonic() - start))
        else:
            outcome.append(Finished(value, None, time.monotonic() - start))

    worker = threading.Thread(target=run, name="readiness-bounded-call", daemon=True)
    worker.start()
    worker.join(within)
    if not outcome:
        raise AssertionError(
            f"the call was still running after {within:g} s and the test stopped waiting: it has"
            " no deadline, or one longer than the bound (a per-read timeout does not bound a"
            " slowly dripping body)"
        )
    return outcome[0]


def _names(types: type[BaseException] | tuple[type[BaseException], ...]) -> str:
    return " or ".join(kind.__name__ for kind in (types if isinstance(types, tuple) else (types,)))


def assert_times_out(
    call: Callable[[], object],
    *,
    within: float,
    raises: type[BaseException] | tuple[type[BaseException], ...] = Exception,
) -> BaseException:
    """Fail unless `call` gives up with an exception of type `raises` within `within` seconds.

    Returns the exception so the test can look at it further.
    """
    finished = assert_finishes(call, within=within)
    if finished.error is None:
        raise AssertionError(
            f"the call returned {finished.value!r} after {finished.elapsed:.3f} s"
            " instead of timing out"
        )
    if not isinstance(finished.error, raises):
        raise AssertionError(
            f"the call raised {type(finished.error).__name__}: {finished.error} after"
            f" {finished.elapsed:.3f} s, not the expected {_names(raises)}"
        ) from finished.error
    return finished.error
