"""Connect-level faults: what `httpx` transport retries and urllib3's `connect=` react to."""

from __future__ import annotations

import time

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pytest_readiness.resilience import assert_finishes, assert_times_out
from pytest_readiness.resilience.endpoints import Refusing, TLSFault, Unanswered

httpx = pytest.importorskip("httpx")


def settled(endpoint: TLSFault, expected: int, within: float = 5.0) -> int:
    """The accepted count once the accept thread has caught up (a busy machine delays it)."""
    deadline = time.monotonic() + within
    while len(endpoint.accepted) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)  # and nothing more arrives
    return len(endpoint.accepted)


def test_a_refused_connect_fails_at_once() -> None:
    with Refusing() as endpoint:
        error = assert_times_out(lambda: requests.get(endpoint.url, timeout=5), within=1.0,
                                 raises=requests.ConnectionError)  # fmt: skip
    assert "refused" in str(error).lower()


def test_a_connect_that_never_completes_hits_the_connect_timeout() -> None:
    with Unanswered() as endpoint:
        started = time.monotonic()
        assert_times_out(lambda: requests.get(endpoint.url, timeout=(0.3, 5)), within=3.0,
                         raises=requests.ConnectTimeout)  # fmt: skip
        assert time.monotonic() - started < 2.0
        with pytest.raises(AssertionError, match="still running"):
            assert_times_out(lambda: requests.get(endpoint.url), within=1.0)  # no deadline


def test_httpx_transport_retries_a_hanging_tls_handshake() -> None:
    with TLSFault("hang") as endpoint:
        transport = httpx.HTTPTransport(retries=2)
        with httpx.Client(transport=transport, timeout=httpx.Timeout(5, connect=0.2)) as client:
            assert_times_out(lambda: client.get(endpoint.url), within=5.0,
                             raises=httpx.ConnectTimeout)  # fmt: skip
        assert settled(endpoint, 3) == 3  # the first try and two retries


def test_httpx_without_retries_connects_once() -> None:
    with TLSFault("hang") as endpoint:
        with httpx.Client(timeout=httpx.Timeout(5, connect=0.2)) as client:
            assert_times_out(
                lambda: client.get(endpoint.url), within=3.0, raises=httpx.ConnectTimeout
            )
        assert settled(endpoint, 1) == 1


def test_an_untrusted_certificate_is_a_connect_error() -> None:
    with TLSFault("untrusted") as endpoint:
        transport = httpx.HTTPTransport(retries=1)
        with httpx.Client(transport=transport, timeout=2) as client:
            finished = assert_finishes(lambda: client.get(endpoint.url), within=5.0)
        assert isinstance(finished.error, httpx.ConnectError)
        assert "certificate" in str(finished.error).lower()
        assert settled(endpoint, 2) == 2


def session_with(retry: Retry) -> requests.Session:
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def test_urllib3_connect_retries_show_in_the_deadline() -> None:
    """A never-completing connect is invisible to any server: the time spent shows the tries."""
    with Unanswered() as endpoint:
        for connect, low, high in ((0, 0.25, 0.7), (2, 0.85, 2.5)):
            session = session_with(Retry(total=None, connect=connect, read=0, backoff_factor=0))
            started = time.monotonic()
            assert_times_out(lambda s=session: s.get(endpoint.url, timeout=(0.3, 1)), within=5.0,
                             raises=requests.ConnectionError)  # fmt: skip
            assert low <= time.monotonic() - started < high, connect


def test_urllib3_counts_a_tls_handshake_timeout_as_a_read() -> None:
    """urllib3 2 retries a TLS handshake that times out under `read`, not `connect`."""
    with TLSFault("hang") as endpoint:
        by_connect = session_with(Retry(total=None, connect=2, read=0, backoff_factor=0))
        assert_times_out(lambda: by_connect.get(endpoint.url, timeout=0.2), within=5.0,
                         raises=requests.ConnectionError)  # fmt: skip
        assert settled(endpoint, 1) == 1
        by_read = session_with(Retry(total=None, connect=0, read=2, backoff_factor=0))
        assert_times_out(lambda: by_read.get(endpoint.url, timeout=0.2), within=5.0,
                         raises=requests.ConnectionError)  # fmt: skip
        assert settled(endpoint, 4) == 4
