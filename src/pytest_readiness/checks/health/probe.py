"""Probe an HTTP endpoint the way the kubelet does, and time it with a monotonic clock.

The kubelet sends `User-Agent: kube-probe/<version>` and `Accept: */*`, opens a fresh
connection per probe, follows redirects only to the same host, and counts 200 <= status < 400 as
success. Every probe here has explicit connect and read timeouts and is never retried: a retry
would hide exactly the flakiness a readiness review is looking for.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

from pytest_readiness.checks.health.latency import Latency
from pytest_readiness.closing import Closing

DEFAULT_CONNECT_TIMEOUT_S = 1.0
DEFAULT_READ_TIMEOUT_S = 1.0
"""Kubernetes' default `timeoutSeconds`."""
KUBE_PROBE_USER_AGENT = "kube-probe/1.31"
MAX_REDIRECTS = 10
MAX_BODY_BYTES = 1 << 20
"""A health body larger than this is cut: the probe is about status and latency, not payload."""


@dataclass(frozen=True)
class Timeouts:
    connect_s: float = DEFAULT_CONNECT_TIMEOUT_S
    read_s: float = DEFAULT_READ_TIMEOUT_S


@dataclass(frozen=True)
class Answer:
    """One probe: the status and body, or why there was none."""

    url: str
    """The URL that gave the answer, after following same-host redirects."""
    latency_ms: float
    status: int | None = None
    content_type: str = ""
    body: bytes = b""
    error: str = ""
    off_host_redirect: str = ""
    """A redirect target on another host, not followed (the kubelet does not follow it either)."""
    auth_challenge: str = ""
    """The `WWW-Authenticate` header, when the endpoint asked for credentials."""
    timed_out: bool = False
    """No answer because a connect or read timeout fired: the endpoint hangs."""

    @property
    def answered(self) -> bool:
        return self.status is not None

    @property
    def succeeded(self) -> bool:
        """Success as a Kubernetes probe sees it."""
        return self.status is not None and 200 <= self.status < 400

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body)

    def describe(self) -> str:
        if self.status is None:
            return self.error
        return f"HTTP {self.status}"


@dataclass(frozen=True)
class ProbeSeries:
    """Several probes of one URL: what a custom test or the check asserts on."""

    url: str
    answers: tuple[Answer, ...]

    @property
    def status(self) -> int | None:
        """The status of the last probe (None when it got no answer)."""
        return self.answers[-1].status

    @property
    def latency_ms(self) -> Latency:
        """Percentiles over the probes that got an answer."""
        return Latency(tuple(answer.latency_ms for answer in self.answers if answer.answered))

    @property
    def unanswered(self) -> list[Answer]:
        return [answer for answer in self.answers if not answer.answered]

    def json(self) -> Any:
        """The last answer's body as JSON."""
        return self.answers[-1].json()


class Prober(Closing):
    """Sends probes over one `requests` session with no retries, proxies or cookies."""

    def __init__(self, timeouts: Timeouts | None = None) -> None:
        self.timeouts = timeouts or Timeouts()
        self._session = requests.Session()
        self._session.trust_env = False
        self._session.headers.clear()
        self._session.headers.update(
            {"User-Agent": KUBE_PROBE_USER_AGENT, "Accept": "*/*", "Connection": "close"}
        )
        for scheme in ("http://", "https://"):
            self._session.mount(scheme, HTTPAdapter(max_retries=0))

    def probe(self, url: str) -> Answer:
        started = time.perf_counter()
        try:
            return self._follow(url, started)
        except requests.RequestException as error:
            return Answer(
                url=url,
                latency_ms=_since(started),
                error=self._reason(error),
                timed_out=_timed_out(error),
            )

    def series(self, url: str, count: int) -> ProbeSeries:
        return ProbeSeries(url, tuple(self.probe(url) for _ in range(count)))

    def close(self) -> None:
        self._session.close()

    def _follow(self, url: str, started: float) -> Answer:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            timeout = (self.timeouts.connect_s, self.timeouts.read_s)
            with self._session.get(
                current, timeout=timeout, allow_redirects=False, stream=True
            ) as response:
                body = b"".join(_limited(response.iter_content(65536), MAX_BODY_BYTES))
            location = response.headers.get("Location", "")
            if not (response.is_redirect and location):
                break
            target = urljoin(current, location)
            if urlsplit(target).hostname != urlsplit(current).hostname:
                return self._answer(response, current, body, started, off_host=target)
            current = target
        return self._answer(response, current, body, started)

    @staticmethod
    def _answer(
        response: requests.Response, url: str, body: bytes, started: float, off_host: str = ""
    ) -> Answer:
        return Answer(
            url=url,
            latency_ms=_since(started),
            status=response.status_code,
            content_type=response.headers.get("Content-Type", ""),
            body=body,
            off_host_redirect=off_host,
            auth_challenge=response.headers.get("WWW-Authenticate", ""),
        )

    def _reason(self, error: requests.RequestException) -> str:
        if isinstance(error, requests.ConnectTimeout):
            return f"no connection within {self.timeouts.connect_s:g} s"
        if _timed_out(error):
            return f"no answer within {self.timeouts.read_s:g} s"
        if "refused" in str(error).lower():
            return "connection refused"
        if isinstance(error, requests.ConnectionError):
            return f"connection failed ({type(error).__name__})"
        return f"probe failed: {error}"


def _timed_out(error: requests.RequestException) -> bool:
    """A read timeout while streaming the body comes wrapped in a ConnectionError."""
    return isinstance(error, requests.Timeout) or "timed out" in str(error)


def _limited(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    size = 0
    for chunk in chunks:
        yield chunk[: limit - size]
        size += len(chunk)
        if size >= limit:
            return


def _since(started: float) -> float:
    """Milliseconds since `started` on the monotonic high-resolution clock."""
    return (time.perf_counter() - started) * 1000
