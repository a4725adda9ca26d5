"""The `health_probe` fixture, used from a project's own tests."""

from __future__ import annotations

import pytest

from tests.health_servers import Behaviour, closed_port, serve_in_thread


def test_health_probe_in_a_project_test(pytester: pytest.Pytester) -> None:
    """One inner run covers every behaviour: each inner pytest run costs a plugin start."""
    with (
        serve_in_thread(Behaviour(delay_ms=20)) as server,
        serve_in_thread(Behaviour(delay_ms=1200)) as slow,
    ):
        pytester.makepyfile(
            f"""
            import pytest

            def test_ready(health_probe):
                series = health_probe("{server.url}/readyz", probes=5)
                assert series.status == 200
                assert series.json() == {{"status": "pass"}}
                assert len(series.latency_ms.samples) == 5
                assert 20 <= series.latency_ms.p50 < 1000
                assert series.latency_ms.p50 <= series.latency_ms.p95 <= series.latency_ms.max

            def test_down(health_probe):
                series = health_probe("http://127.0.0.1:{closed_port()}/", probes=1)
                assert series.status is None
                assert series.answers[0].error == "connection refused"

            def test_times_out_like_a_kubernetes_probe(health_probe):
                series = health_probe("{slow.url}/", probes=1)
                assert series.answers[0].error == "no answer within 1 s"

            def test_zero_probes(health_probe):
                with pytest.raises(ValueError, match="at least 1"):
                    health_probe("{server.url}/", probes=0)
            """
        )
        result = pytester.runpytest()
        headers = server.behaviour.seen
    result.assert_outcomes(passed=4)
    assert len(headers) == 5
    assert all(seen["User-Agent"].startswith("kube-probe/") for seen in headers)
