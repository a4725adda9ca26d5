"""Probes sent like the kubelet's: headers, timeouts, no retries, same-host redirects, latency."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from pytest_readiness.checks.health.probe import (
    KUBE_PROBE_USER_AGENT,
    MAX_BODY_BYTES,
    Prober,
    Timeouts,
)
from tests.health_servers import Behaviour, closed_port, serve_in_thread


@pytest.fixture
def prober() -> Iterator[Prober]:
    with Prober(Timeouts(connect_s=0.5, read_s=0.5)) as open_prober:
        yield open_prober


def test_probe_sends_kube_probe_headers_and_reads_the_answer(prober: Prober) -> None:
    with serve_in_thread() as server:
        answer = prober.probe(f"{server.url}/healthz")
    assert answer.status == 200
    assert answer.succeeded
    assert answer.json() == {"status": "pass"}
    assert answer.content_type == "application/health+json"
    (headers,) = server.behaviour.seen
    assert headers["User-Agent"] == KUBE_PROBE_USER_AGENT
    assert headers["Accept"] == "*/*"
    assert "Authorization" not in headers


@pytest.mark.parametrize(
    ("status", "succeeded"), [(200, True), (302, True), (399, True), (400, False), (503, False)]
)
def test_success_is_200_to_399(prober: Prober, status: int, succeeded: bool) -> None:
    with serve_in_thread(Behaviour(status=status)) as server:
        assert prober.probe(server.url).succeeded is succeeded


def test_closed_port_is_connection_refused(prober: Prober) -> None:
    answer = prober.probe(f"http://127.0.0.1:{closed_port()}/healthz")
    assert not answer.answered
    assert answer.error == "connection refused"
    assert answer.describe() == "connection refused"
    assert not answer.timed_out, "refused at once: nothing hangs"


def test_slow_answer_hits_the_read_timeout_once(prober: Prober) -> None:
    with serve_in_thread(Behaviour(delay_ms=800)) as server:
        answer = prober.probe(server.url)
        assert answer.error == "no answer within 0.5 s"
        assert answer.timed_out
        assert 500 <= answer.latency_ms < 790
        assert len(server.behaviour.seen) == 1, "a probe is never retried"


def test_a_connection_dropped_without_answer_is_not_retried(prober: Prober) -> None:
    accepted: list[socket.socket] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.3)

        def drop_all() -> None:
            with contextlib.suppress(TimeoutError):
                while True:
                    connection, _ = listener.accept()
                    accepted.append(connection)
                    connection.close()

        thread = threading.Thread(target=drop_all)
        thread.start()
        answer = prober.probe(f"http://127.0.0.1:{listener.getsockname()[1]}/")
        thread.join()
    assert not answer.answered
    assert answer.error.startswith("connection failed")
    assert not answer.timed_out
    assert len(accepted) == 1


@pytest.mark.parametrize("delay_ms", [30.0, 60.0])
def test_latency_p50_matches_an_injected_delay_within_10_ms(
    prober: Prober, delay_ms: float
) -> None:
    with serve_in_thread(Behaviour(delay_ms=delay_ms)) as server:
        series = prober.series(server.url, 7)
    assert series.status == 200
    assert len(series.latency_ms.samples) == 7
    assert delay_ms <= series.latency_ms.p50 <= delay_ms + 10
    assert series.latency_ms.p50 <= series.latency_ms.p95 <= series.latency_ms.max


def test_redirect_on_the_same_host_is_followed(prober: Prober) -> None:
    with (
        serve_in_thread() as target,
        serve_in_thread(Behaviour(status=302, location=f"{target.url}/healthz")) as server,
    ):
        answer = prober.probe(f"{server.url}/old")
    assert answer.status == 200
    assert answer.url == f"{target.url}/healthz"
    assert answer.off_host_redirect == ""


def test_redirect_to_another_host_is_not_followed(prober: Prober) -> None:
    with serve_in_thread() as target:
        elsewhere = target.url.replace("127.0.0.1", "localhost")
        with serve_in_thread(Behaviour(status=301, location=elsewhere)) as server:
            answer = prober.probe(server.url)
        assert target.behaviour.seen == []
    assert answer.status == 301
    assert answer.succeeded
    assert answer.off_host_redirect == elsewhere


def test_a_huge_body_is_cut(prober: Prober) -> None:
    with serve_in_thread(Behaviour(body="x" * (MAX_BODY_BYTES + 5000))) as server:
        answer = prober.probe(server.url)
    assert len(answer.body) == MAX_BODY_BYTES


def test_proxy_settings_of_the_environment_are_ignored(
    prober: Prober, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("NO_PROXY", "")
    with serve_in_thread() as server:
        assert prober.probe(server.url).status == 200


def test_series_of_an_unreachable_url_has_no_latency(prober: Prober) -> None:
    series = prober.series(f"http://127.0.0.1:{closed_port()}/", 3)
    assert series.status is None
    assert len(series.unanswered) == 3
    assert series.latency_ms.samples == ()
    assert series.latency_ms.metrics() == {}
