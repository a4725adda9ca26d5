"""The client for the supplier's stock API: a deadline per call, bounded jittered retries.

A slow or failing supplier must not take the inventory service down with it, so every call has
a deadline for the whole exchange (a per-read socket timeout alone never fires on a body that
drips in byte by byte), a small attempt budget, full-jitter exponential backoff so that many
instances do not retry in lockstep, and respect for the supplier's `Retry-After`. Orders are
never resent once they may have reached the supplier: a duplicate order costs real money.

`http.client` rather than `urllib.request`: it speaks only HTTP(S), so there is no URL scheme
to vet, and it hands over the connection that the deadline has to watch.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import random
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRYABLE_ERRORS = (OSError, http.client.HTTPException, TimeoutError)
_jitter = random.SystemRandom()


class SupplierError(Exception):
    """The supplier gave no usable answer: refused, or failed within the budget and deadline."""


class _Retryable(Exception):
    """An attempt failed in a way another attempt may not; carries the supplier's Retry-After."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    attempt_timeout: float = 2.0
    """Seconds for one attempt, from connecting to the last byte of the body."""
    deadline: float = 5.0
    """Seconds for the whole call, waits between attempts included."""
    backoff_base: float = 0.2
    backoff_cap: float = 2.0

    def backoff(self, retry: int) -> float:
        """AWS full jitter: uniform(0, min(cap, base * 2 ** (retry - 1)))."""
        return _jitter.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (retry - 1)))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait, from delay-seconds (fractions accepted) or an HTTP-date; None if absent
    or unreadable, in which case the client's own backoff applies.
    """
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


class SupplierClient:
    def __init__(self, base_url: str, policy: RetryPolicy | None = None) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the supplier URL must be http(s)://host[:port], got {base_url!r}")
        self._parts = parts
        self.policy = policy or RetryPolicy()

    def stock(self, item: str) -> int:
        """How many of `item` the supplier holds; retried, as reading stock is safe to repeat."""
        answer = self._call("GET", f"/stock/{quote(item, safe='')}", retry=True)
        return int(answer["quantity"])

    def order(self, item: str, quantity: int) -> str:
        """Order from the supplier and return its order id; sent once, never retried."""
        body = json.dumps({"item": item, "quantity": quantity}).encode()
        answer = self._call("POST", "/orders", body=body, retry=False)
        return str(answer["order_id"])

    def _call(self, method: str, path: str, *, body: bytes | None = None, retry: bool) -> Any:
        start = time.monotonic()
        attempts = self.policy.attempts if retry else 1
        attempt = 0
        while True:
            attempt += 1
            remaining = self.policy.deadline - (time.monotonic() - start)
            try:
                return self._attempt(
                    method, path, body, min(self.policy.attempt_timeout, remaining)
                )
            except _Retryable as failure:
                if attempt >= attempts:
                    raise SupplierError(
                        f"{method} {path}: {failure} ({attempt} attempts)"
                    ) from failure
                wait = failure.retry_after
                if wait is None:
                    wait = self.policy.backoff(attempt)
                if time.monotonic() - start + wait >= self.policy.deadline:
                    raise SupplierError(
                        f"{method} {path}: {failure}; retrying in {wait:.2f} s would pass the"
                        f" {self.policy.deadline:g} s deadline"
                    ) from failure
                time.sleep(wait)

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        host, port = self._parts.hostname or "", self._parts.port
        if self._parts.scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=timeout)
        return http.client.HTTPConnection(host, port, timeout=timeout)

    def _attempt(self, method: str, path: str, body: bytes | None, timeout: float) -> Any:
        ends = time.monotonic() + timeout
        connection = self._connect(timeout)
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        try:
            connection.request(method, path, body=body, headers=headers)
            with connection.getresponse() as response:  # closing it lets go of the socket
                data = _read_until(response, ends)
        except RETRYABLE_ERRORS as error:
            raise _Retryable(f"{type(error).__name__}: {error}") from error
        finally:
            connection.close()
        if response.status in RETRYABLE_STATUSES:
            retry_after = parse_retry_after(response.getheader("Retry-After"), time.time())
            raise _Retryable(f"HTTP {response.status}", retry_after)
        if response.status >= 300:
            raise SupplierError(f"{method} {path}: HTTP {response.status}")
        try:
            return json.loads(data)
        except ValueError as error:
            raise SupplierError(f"{method} {path}: the answer is not JSON") from error


def _read_until(response: http.client.HTTPResponse, ends: float) -> bytes:
    """The whole body, or TimeoutError once the attempt's time is up, however it drips in."""
    chunks = []
    while chunk := response.read1(65536):
        chunks.append(chunk)
        if time.monotonic() > ends:
            raise TimeoutError("the answer did not arrive within the attempt's time")
    data = b"".join(chunks)
    expected = response.getheader("Content-Length")
    if expected is not None and expected.isdigit() and len(data) < int(expected):
        raise http.client.IncompleteRead(data, int(expected) - len(data))
    return data
