"""The fault script model: step order, Retry-After, and what a script lets a client expect."""

from __future__ import annotations

import email.utils

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.resilience import (
    Close,
    Hang,
    Reset,
    Respond,
    RetryAfter,
    Script,
    SlowBody,
    Truncate,
)

statuses = st.integers(100, 599)


@given(st.lists(statuses, min_size=1, max_size=5), st.integers(0, 50))
def test_repeat_serves_the_steps_then_the_last_forever(codes: list[int], index: int) -> None:
    script = Script(*(Respond(code) for code in codes))

    assert script.step(index) == Respond(codes[min(index, len(codes) - 1)])


@given(st.lists(statuses, min_size=1, max_size=5), st.integers(0, 50))
def test_cycle_starts_over(codes: list[int], index: int) -> None:
    script = Script(*(Respond(code) for code in codes), then="cycle")

    assert script.step(index) == Respond(codes[index % len(codes)])


def test_a_script_needs_a_step() -> None:
    with pytest.raises(ValueError, match="at least one step"):
        Script()


@pytest.mark.parametrize(
    ("retry_after", "header", "wait"),
    [(RetryAfter(3), "3", 3.0), (RetryAfter(0.05), "0.05", 0.05), (RetryAfter(0), "0", 0.0)],
)
def test_retry_after_seconds(retry_after: RetryAfter, header: str, wait: float) -> None:
    assert retry_after.render(now=1_700_000_000.4) == (header, wait)


@given(st.floats(1_600_000_000, 1_900_000_000), st.floats(0, 120))
def test_retry_after_http_date_asks_for_at_least_the_seconds(now: float, seconds: float) -> None:
    header, wait = RetryAfter(seconds, http_date=True).render(now)

    moment = email.utils.parsedate_to_datetime(header).timestamp()
    assert seconds - 1e-6 <= wait < seconds + 1  # 1e-6: the float resolution of `now`
    assert moment == pytest.approx(now + wait)
    assert header.endswith(" GMT")


@given(st.binary(max_size=40), st.integers(1, 20))
def test_slow_body_pieces_make_up_the_body(body: bytes, chunks: int) -> None:
    drip = SlowBody(body=body, chunks=chunks, interval=0.01)

    pieces = drip.pieces()

    assert b"".join(pieces) == body
    assert len(pieces) == max(1, min(chunks, len(body)))
    assert all(pieces) or body == b""
    assert drip.duration == pytest.approx(len(pieces) * 0.01)


@pytest.mark.parametrize(
    ("fault", "answers"),
    [
        (Respond(200), True),
        (Respond(302), True),
        (Respond(503), False),
        (Respond(200, delay=0.2), False),
        (SlowBody(body=b"abc", chunks=3, interval=0.01), True),
        (SlowBody(body=b"abc", chunks=3, interval=0.05), False),
        (Truncate(body=b"abc", sent=1), False),
        (Close(), False),
        (Reset(), False),
        (Hang(), False),
    ],
)
def test_answers_within_a_per_attempt_deadline(fault: Respond, answers: bool) -> None:
    assert fault.answers(within=0.1) is answers


@pytest.mark.parametrize(
    ("budget", "succeeds", "attempts"), [(1, False, 1), (2, False, 2), (3, True, 3), (5, True, 3)]
)
def test_expect_success_only_within_the_budget(budget: int, succeeds: bool, attempts: int) -> None:
    script = Script(Hang(), Respond(503), Respond(200))

    expectation = script.expect(attempts=budget, attempt_deadline=0.1)

    assert (expectation.succeeds, expectation.attempts) == (succeeds, attempts)


def test_descriptions_read_like_the_fault() -> None:
    script = Script(
        Respond(503, retry_after=RetryAfter(1)),
        Respond(200, delay=0.05),
        SlowBody(chunks=4, interval=0.02),
        Truncate(body=b"0123456789", sent=3),
        Close(),
        Reset(),
        Hang(),
        then="cycle",
    )

    assert str(script) == (
        "503 Retry-After 1 s as seconds, 200 after 50 ms, 200 slow body 4 x 20 ms,"
        " 200 truncated at 3/10 bytes, close without answer, reset (RST), hang (then cycle)"
    )
