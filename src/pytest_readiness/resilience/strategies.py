"""hypothesis strategies for fault scripts: any run of failures, then a success or a failure.

The property they serve (see docs/fixtures.md): for any schedule, the client either succeeds when
a success lies within its attempt budget, or fails within its total deadline; it never hangs and
never exceeds the budget. `Script.expect` gives the outcome the property compares against.

Delays are drawn well clear of `attempt_timeout` (at most a third of it, or at least three
times it) so that whether an answer is in time never depends on scheduling luck.
"""

from __future__ import annotations

from collections.abc import Collection

from hypothesis import strategies as st

from pytest_readiness.resilience.faults import (
    Close,
    Fault,
    Hang,
    Reset,
    Respond,
    RetryAfter,
    Script,
    SlowBody,
    Truncate,
)

FAILURE_STATUSES = (500, 502, 503, 504)
FAULT_KINDS: frozenset[type[Fault]] = frozenset({Respond, SlowBody, Truncate, Close, Reset, Hang})


def _retry_after(attempt_timeout: float) -> st.SearchStrategy[RetryAfter]:
    return st.floats(0.0, attempt_timeout / 3).map(lambda seconds: RetryAfter(round(seconds, 3)))


def _failing_answers(
    attempt_timeout: float, retry_after: bool, statuses: Collection[int]
) -> st.SearchStrategy[Fault]:
    """Error statuses (429/503 maybe with a short Retry-After) and successes that come too late."""
    plain = st.builds(Respond, status=st.sampled_from(sorted(statuses)))
    late = st.builds(
        Respond,
        delay=st.floats(3 * attempt_timeout, 4 * attempt_timeout).map(lambda s: round(s, 3)),
    )
    answers = [plain, late]
    throttling = sorted(set(statuses) & {429, 503})
    if retry_after and throttling:
        answers.append(
            st.builds(
                Respond,
                status=st.sampled_from(throttling),
                retry_after=_retry_after(attempt_timeout),
            )
        )
    return st.one_of(answers)


def _slow_bodies(attempt_timeout: float) -> st.SearchStrategy[Fault]:
    """Drips every `attempt_timeout / 2`: each read is in time, the whole body is far too late."""
    return st.integers(6, 8).map(
        lambda chunks: SlowBody(body=b"x" * chunks, chunks=chunks, interval=attempt_timeout / 2)
    )


def failures(
    *,
    attempt_timeout: float = 0.05,
    kinds: Collection[type[Fault]] = FAULT_KINDS,
    retry_after: bool = True,
    statuses: Collection[int] = FAILURE_STATUSES,
) -> st.SearchStrategy[Fault]:
    """Single faults a client with this per-attempt deadline cannot get a good answer from.

    `statuses` are the error statuses drawn for `Respond`: give the ones your client retries
    (e.g. `(502, 503, 504)` for `status_forcelist=[502, 503, 504]`).
    """
    if not statuses or any(not 400 <= status <= 599 for status in statuses):
        raise ValueError(f"statuses must be non-empty error statuses (400-599), not {statuses}")
    by_kind: dict[type[Fault], st.SearchStrategy[Fault]] = {
        Respond: _failing_answers(attempt_timeout, retry_after, statuses),
        SlowBody: _slow_bodies(attempt_timeout),
        Truncate: st.integers(0, 3).map(lambda sent: Truncate(body=b"truncated", sent=sent)),
        Close: st.just(Close()),
        Reset: st.just(Reset()),
        Hang: st.just(Hang()),
    }
    unknown = set(kinds) - set(by_kind)
    if unknown or not kinds:
        raise ValueError(
            f"kinds must be a non-empty subset of {sorted(k.__name__ for k in by_kind)}"
        )
    return st.one_of([by_kind[kind] for kind in by_kind if kind in kinds])


def fault_schedules(
    *,
    attempt_timeout: float = 0.05,
    max_faults: int = 4,
    kinds: Collection[type[Fault]] = FAULT_KINDS,
    retry_after: bool = True,
    success: Respond | None = None,
    statuses: Collection[int] = FAILURE_STATUSES,
) -> st.SearchStrategy[Script]:
    """Scripts of up to `max_faults` failures followed by a final step, repeated from then on.

    The final step is `success` (default: 200 "ok") or another failure, so schedules whose
    success lies within the client's budget, beyond it, or nowhere are all drawn. Restrict
    `kinds` to the faults the client under test claims to retry; `retry_after=False` for clients
    (urllib3) that accept only whole seconds, which would make examples slow.
    """
    failure = failures(
        attempt_timeout=attempt_timeout, kinds=kinds, retry_after=retry_after, statuses=statuses
    )
    final = st.one_of(st.just(success or Respond()), failure)
    return st.builds(
        lambda steps, last: Script(*steps, last),
        st.lists(failure, max_size=max_faults),
        final,
    )
