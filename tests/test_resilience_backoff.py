"""Backoff models against the libraries' own arithmetic and the AWS blog's formulas."""

from __future__ import annotations

import math
import random

import pytest
import tenacity
from hypothesis import given
from hypothesis import strategies as st
from urllib3.util.retry import RequestHistory, Retry

from pytest_readiness.resilience import (
    Bounds,
    Constant,
    DecorrelatedJitter,
    EqualJitter,
    FullJitter,
    TenacityExponential,
    TenacityExponentialJitter,
    TenacityRandomExponential,
    UrllibRetry,
)

seconds = st.floats(0, 10, allow_nan=False)
caps = st.floats(0.001, 300, allow_nan=False)
retries = st.integers(1, 40)
seeds = st.integers(0, 2**32)
EPSILON = 1e-9


def within(value: float, bounds: Bounds) -> bool:
    slack = EPSILON * max(1.0, abs(value))
    return bounds.low - slack <= value <= bounds.high + slack


def urllib3_wait(retry: Retry, number: int) -> float:
    """The wait urllib3 sleeps before retry `number`: its history holds `number` errors."""
    history = (RequestHistory("GET", "/", None, 503, None),) * number
    return retry.new(history=history).get_backoff_time()


def tenacity_wait(wait: tenacity.wait.wait_base, number: int) -> float:
    state = tenacity.RetryCallState(None, None, (), {})  # type: ignore[arg-type]
    state.attempt_number = number  # the attempt that just failed
    return wait(state)


@given(factor=seconds, maximum=caps, jitter=st.floats(0, 2), number=retries, seed=seeds)
def test_urllib3_retry_waits_fall_in_the_model(
    factor: float, maximum: float, jitter: float, number: int, seed: int
) -> None:
    retry = Retry(total=None, backoff_factor=factor, backoff_max=maximum, backoff_jitter=jitter)
    random.seed(seed)

    assert within(urllib3_wait(retry, number), UrllibRetry.of(retry).bounds(number, None))


def test_urllib3_first_retry_never_waits_and_the_second_waits_twice_the_factor() -> None:
    model = UrllibRetry(backoff_factor=0.5)

    assert [model.bounds(number, None) for number in (1, 2, 3)] == [
        Bounds(0, 0),
        Bounds(1.0, 1.0),
        Bounds(2.0, 2.0),
    ]


@given(
    multiplier=seconds,
    maximum=caps,
    minimum=st.floats(0, 5),
    exp_base=st.floats(1.1, 4),
    number=retries,
)
def test_tenacity_wait_exponential_is_the_model_exactly(
    multiplier: float, maximum: float, minimum: float, exp_base: float, number: int
) -> None:
    wait = tenacity.wait_exponential(multiplier, maximum, exp_base, minimum)
    bounds = TenacityExponential.of(wait).bounds(number, None)

    assert bounds.low == bounds.high
    assert tenacity_wait(wait, number) == pytest.approx(bounds.low, rel=EPSILON)


@given(multiplier=seconds, maximum=caps, minimum=st.floats(0, 5), number=retries, seed=seeds)
def test_tenacity_wait_random_exponential_falls_in_the_model(
    multiplier: float, maximum: float, minimum: float, number: int, seed: int
) -> None:
    wait = tenacity.wait_random_exponential(multiplier, maximum, min=minimum)
    random.seed(seed)

    value = tenacity_wait(wait, number)

    assert within(value, TenacityRandomExponential.of(wait).bounds(number, None))


@given(
    multiplier=seconds,
    maximum=caps,
    jitter=st.floats(0, 3),
    minimum=st.floats(0, 5),
    number=retries,
    seed=seeds,
)
def test_tenacity_wait_exponential_jitter_falls_in_the_model(
    multiplier: float, maximum: float, jitter: float, minimum: float, number: int, seed: int
) -> None:
    wait = tenacity.wait_exponential_jitter(
        max=maximum, jitter=jitter, min=minimum, multiplier=multiplier
    )
    random.seed(seed)

    value = tenacity_wait(wait, number)

    assert within(value, TenacityExponentialJitter.of(wait).bounds(number, None))


# The AWS Architecture Blog's pseudo-code, transcribed; `attempt` counts from 0.
def aws_full(rng: random.Random, base: float, cap: float, attempt: int) -> float:
    return rng.uniform(0, min(cap, base * 2**attempt))


def aws_equal(rng: random.Random, base: float, cap: float, attempt: int) -> float:
    temp = min(cap, base * 2**attempt)
    return temp / 2 + rng.uniform(0, temp / 2)


@given(base=st.floats(0, 2), cap=caps, number=st.integers(1, 20), seed=seeds)
def test_full_and_equal_jitter_fall_in_their_models(
    base: float, cap: float, number: int, seed: int
) -> None:
    rng = random.Random(seed)

    full = aws_full(rng, base, cap, number - 1)
    equal = aws_equal(rng, base, cap, number - 1)

    assert within(full, FullJitter(base, cap).bounds(number, None))
    assert within(equal, EqualJitter(base, cap).bounds(number, None))


@given(base=st.floats(0.001, 2), cap=caps, count=st.integers(1, 20), seed=seeds)
def test_decorrelated_jitter_follows_the_previous_sleep(
    base: float, cap: float, count: int, seed: int
) -> None:
    rng = random.Random(seed)
    model = DecorrelatedJitter(base, cap)
    sleep = base
    previous = None
    for number in range(1, count + 1):
        sleep = min(cap, rng.uniform(base, sleep * 3))
        assert within(sleep, model.bounds(number, previous))
        previous = sleep


@given(base=st.floats(0.001, 2), number=st.integers(1, 2000))
def test_exponential_models_stay_finite_under_their_cap(base: float, number: int) -> None:
    for model in (
        FullJitter(base, cap=60),
        EqualJitter(base, cap=60),
        UrllibRetry(base, backoff_max=60),
        TenacityExponential(base, max=60),
        TenacityExponentialJitter(base, max=60, jitter=1),
    ):
        bounds = model.bounds(number, None)
        assert 0 <= bounds.low <= bounds.high <= 60


def test_uncapped_growth_is_infinite_rather_than_an_overflow() -> None:
    assert FullJitter(1.0).bounds(5000, None).high == math.inf


@given(wait=seconds, jitter=st.floats(0, 1), cap=st.floats(0, 20), number=retries)
def test_widened_then_capped_never_inverts(
    wait: float, jitter: float, cap: float, number: int
) -> None:
    bounds = Constant(wait).bounds(number, None).widened(jitter).capped(cap)

    assert bounds.low <= bounds.high <= cap
    assert bounds.capped(None) == bounds
