"""assert_retries and assert_no_unsafe_retries against real clients talking to the fault server.

Each client library is tried in a correct configuration (the assertion passes) and in the broken
one the assertion exists to catch (it fails, and the message says why).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
import requests
import tenacity
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from pytest_readiness.resilience import (
    Close,
    Constant,
    FaultServer,
    FullJitter,
    Hang,
    Record,
    Reset,
    Respond,
    RetryAfter,
    Script,
    TenacityExponential,
    TenacityExponentialJitter,
    TenacityRandomExponential,
    Truncate,
    UrllibRetry,
    assert_no_unsafe_retries,
    assert_retries,
)

TIMEOUT = 0.1  # per attempt: room for a busy machine, yet a hang costs little
FAILING_STEPS = [
    pytest.param(Respond(503), id="503"),
    pytest.param(Respond(200, delay=0.5), id="delay-before-headers"),
    pytest.param(Truncate(), id="truncated-body"),
    pytest.param(Close(), id="close-without-answer"),
    pytest.param(Reset(), id="reset"),
    pytest.param(Hang(), id="hang"),
]


def urllib3_session(retry: Retry) -> requests.Session:
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    return session


def correct_retry(**overrides: object) -> Retry:
    settings: dict[str, object] = {
        "total": 3,
        "backoff_factor": 0.025,
        "status_forcelist": (500, 502, 503, 504),
        "raise_on_status": False,
    }
    return Retry(**(settings | overrides))  # type: ignore[arg-type]


def get_with_tenacity(url: str, wait: tenacity.wait.wait_base, attempts: int = 3) -> int:
    @tenacity.retry(
        stop=tenacity.stop_after_attempt(attempts),
        wait=wait,
        retry=tenacity.retry_if_exception_type(requests.RequestException),
        reraise=True,
    )
    def get() -> int:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        return response.status_code

    return get()


def plain_loop(
    url: str,
    *,
    attempts: int,
    wait: Callable[[int], float],
    honour_retry_after: bool = True,
    method: str = "GET",
) -> int:
    """A hand-written loop: per-attempt timeout, Retry-After in (fractional) seconds or backoff."""
    for attempt in range(1, attempts + 1):
        retry_after = None
        try:
            response = requests.request(method, url, timeout=TIMEOUT)
            if response.status_code < 500 and response.status_code != 429:
                return response.status_code
            retry_after = response.headers.get("Retry-After")
        except requests.RequestException:
            pass
        if attempt < attempts:
            honoured = honour_retry_after and retry_after is not None
            time.sleep(float(retry_after) if honoured and retry_after else wait(attempt))
    raise RuntimeError(f"gave up after {attempts} attempts")


@pytest.mark.parametrize("fault", [step for step in FAILING_STEPS if step.id != "truncated-body"])
def test_urllib3_retry_with_backoff_passes(fault_server: FaultServer, fault: Respond) -> None:
    fault_server.reset(Script(fault, fault, fault, Respond(200)))
    retry = correct_retry()

    response = urllib3_session(retry).get(fault_server.url + "/stock", timeout=TIMEOUT)

    assert response.status_code == 200
    assert_retries(fault_server.record, attempts=4, backoff=UrllibRetry.of(retry), timeout=TIMEOUT)


def test_urllib3_retry_gives_up_on_truncated_body_under_requests(fault_server: FaultServer) -> None:
    """requests reads the body after urllib3 returned the response, outside `Retry`'s reach."""
    fault_server.reset(Script(Truncate(), Respond(200)))

    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        urllib3_session(correct_retry()).get(fault_server.url, timeout=TIMEOUT)

    assert_retries(fault_server.record, attempts=1)


def test_urllib3_retry_without_backoff_fails(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(503), Respond(503), Respond(503), Respond(200)))

    urllib3_session(correct_retry(backoff_factor=0)).get(fault_server.url, timeout=TIMEOUT)

    with pytest.raises(AssertionError) as failure:
        assert_retries(fault_server.record, attempts=4, backoff=UrllibRetry(0.1))
    message = str(failure.value)
    assert "do not match UrllibRetry(backoff_factor=0.1" in message
    assert "0.200 .. 0.200" in message  # the second retry's expected wait
    assert "TOO SOON" in message
    assert "#4 GET / at +" in message


def test_urllib3_respects_retry_after_seconds(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(503, retry_after=RetryAfter(1)), Respond(200)))

    response = urllib3_session(correct_retry()).get(fault_server.url, timeout=TIMEOUT)

    assert response.status_code == 200
    assert_retries(fault_server.record, attempts=2, respects_retry_after=True)
    assert fault_server.record.gaps()[0] >= 1.0


def test_urllib3_respects_retry_after_http_date(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(429, retry_after=RetryAfter(0, http_date=True)), Respond()))

    response = urllib3_session(correct_retry()).get(fault_server.url, timeout=TIMEOUT)

    assert response.status_code == 200
    assert_retries(fault_server.record, attempts=2, respects_retry_after=True)


def test_client_ignoring_retry_after_fails(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(503, retry_after=RetryAfter(1)), Respond(200)))
    ignoring = correct_retry(respect_retry_after_header=False)

    urllib3_session(ignoring).get(fault_server.url, timeout=TIMEOUT)

    with pytest.raises(AssertionError) as failure:
        assert_retries(fault_server.record, attempts=2, respects_retry_after=True)
    message = str(failure.value)
    assert "do not match the Retry-After answers" in message
    assert re.search(r"1 +0\.0\d\d +1\.000 \.\. 1\.000 +Retry-After +TOO SOON", message)
    assert "503 Retry-After 1 s as seconds" in message


def test_urllib3_does_not_retry_post_after_reset(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Reset(), Respond(201)))

    with pytest.raises(requests.ConnectionError):
        urllib3_session(correct_retry()).post(fault_server.url + "/orders", data=b"{}")

    assert_retries(fault_server.record, attempts=1)


def test_client_retrying_post_fails(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(503), Respond(503), Respond(201)))
    retries_any_method = correct_retry(allowed_methods=None, backoff_factor=0)

    urllib3_session(retries_any_method).post(fault_server.url + "/orders", data=b'{"n": 1}')

    with pytest.raises(AssertionError) as failure:
        assert_retries(fault_server.record, attempts=3)
    message = str(failure.value)
    assert "POST /orders was sent 3 times (requests #1, #2, #3)" in message
    assert "allow_non_idempotent=True" in message
    assert_retries(fault_server.record, attempts=3, allow_non_idempotent=True)


def test_distinct_posts_are_not_retries(fault_server: FaultServer) -> None:
    for quantity in (1, 2):
        requests.post(fault_server.url + "/orders", json={"quantity": quantity}, timeout=1)

    assert_no_unsafe_retries(fault_server.record)


def test_unbounded_retries_fail(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(503)))
    effectively_unbounded = correct_retry(total=30, backoff_factor=0)

    urllib3_session(effectively_unbounded).get(fault_server.url, timeout=TIMEOUT)

    with pytest.raises(AssertionError, match=r"expected 4 attempt\(s\), the server saw 31"):
        assert_retries(fault_server.record, attempts=4)


@pytest.mark.parametrize("fault", FAILING_STEPS)
@pytest.mark.parametrize(
    ("wait", "model"),
    [
        pytest.param(
            tenacity.wait_exponential(multiplier=0.02),
            TenacityExponential(multiplier=0.02),
            id="wait_exponential",
        ),
        pytest.param(
            tenacity.wait_random_exponential(multiplier=0.02),
            TenacityRandomExponential(multiplier=0.02),
            id="wait_random_exponential",
        ),
        pytest.param(
            tenacity.wait_exponential_jitter(multiplier=0.02, jitter=0.02),
            TenacityExponentialJitter(multiplier=0.02, jitter=0.02),
            id="wait_exponential_jitter",
        ),
    ],
)
def test_tenacity_with_backoff_passes(
    fault_server: FaultServer,
    fault: Respond,
    wait: tenacity.wait.wait_base,
    model: TenacityExponential,
) -> None:
    fault_server.reset(Script(fault, fault, Respond(200)))

    assert get_with_tenacity(fault_server.url, wait) == 200

    assert_retries(fault_server.record, attempts=3, backoff=model, timeout=TIMEOUT)


def test_tenacity_model_of_reads_the_configured_wait() -> None:
    wait = tenacity.wait_exponential_jitter(multiplier=0.5, max=3, jitter=0.25, min=0.1)

    assert TenacityExponentialJitter.of(wait) == TenacityExponentialJitter(0.5, 3, 2, 0.25, 0.1)
    assert TenacityExponential.of(tenacity.wait_exponential(multiplier=2, max=9)).max == 9


def test_tenacity_without_backoff_fails(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Close(), Close(), Respond(200)))

    get_with_tenacity(fault_server.url, tenacity.wait_none())

    with pytest.raises(AssertionError, match="TOO SOON") as failure:
        assert_retries(fault_server.record, attempts=3, backoff=TenacityExponential(multiplier=0.2))
    assert "do not match TenacityExponential(multiplier=0.2" in str(failure.value)


def test_plain_loop_with_constant_wait_passes(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Hang(), Reset(), Respond(200)))

    assert plain_loop(fault_server.url, attempts=3, wait=lambda _: 0.03) == 200

    assert_retries(fault_server.record, attempts=3, backoff=Constant(0.03), timeout=TIMEOUT)


def test_plain_loop_honouring_fractional_retry_after_passes(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(429, retry_after=RetryAfter(0.06)), Respond(502), Respond()))
    model = FullJitter(base=0.02, cap=0.1)

    plain_loop(fault_server.url, attempts=3, wait=lambda retry: model.bounds(retry, None).high)

    assert_retries(fault_server.record, attempts=3, backoff=model, respects_retry_after=True)


def test_plain_loop_ignoring_retry_after_fails(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(429, retry_after=RetryAfter(0.5)), Respond()))

    plain_loop(fault_server.url, attempts=2, wait=lambda _: 0.0, honour_retry_after=False)

    with pytest.raises(AssertionError, match="Retry-After  TOO SOON"):
        assert_retries(
            fault_server.record, attempts=2, backoff=Constant(0), respects_retry_after=True
        )


def test_plain_loop_with_too_long_waits_fails(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(500), Respond()))

    plain_loop(fault_server.url, attempts=2, wait=lambda _: 0.3)

    with pytest.raises(AssertionError, match="TOO LATE"):
        assert_retries(fault_server.record, attempts=2, backoff=Constant(0.03))


def test_cap_and_jitter_shape_the_model(fault_server: FaultServer) -> None:
    fault_server.reset(Script(Respond(503), Respond(503), Respond()))

    plain_loop(fault_server.url, attempts=3, wait=lambda _: 0.05)

    assert_retries(fault_server.record, attempts=3, backoff=Constant(1.0), cap=0.05)
    assert_retries(fault_server.record, attempts=3, backoff=Constant(0.0), jitter=0.05)


def test_jitter_without_a_model_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="pass backoff="):
        assert_retries(Record(()), attempts=0, jitter=0.1)
