"""The fault_server fixtures as a project gets them: from the installed plugin, nothing to load."""

from __future__ import annotations

import pytest


def test_fault_server_is_fresh_for_each_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests
        from pytest_readiness.resilience import Respond, Script

        ports = []

        def test_first(fault_server):
            fault_server.reset(Script(Respond(503)))
            assert requests.get(fault_server.url, timeout=1).status_code == 503
            ports.append(fault_server.port)

        def test_second(fault_server):
            assert requests.get(fault_server.url, timeout=1).status_code == 200
            assert fault_server.record.attempts == 1
            assert fault_server.port != ports[0]
        """
    )

    pytester.runpytest().assert_outcomes(passed=2)


def test_shared_fault_server_lives_for_the_module(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_one="""
        servers = []

        def test_a(shared_fault_server):
            servers.append(shared_fault_server)

        def test_b(shared_fault_server):
            assert shared_fault_server is servers[0]
        """,
        test_two="""
        import test_one

        def test_c(shared_fault_server):
            assert shared_fault_server is not test_one.servers[0]
        """,
    )

    pytester.runpytest().assert_outcomes(passed=3)


def test_server_is_closed_after_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests
        from pytest_readiness.resilience import Hang, Script

        urls = []

        def test_leaves_a_hang(fault_server):
            fault_server.reset(Script(Hang()))
            urls.append(fault_server.url)

        def test_server_is_gone():
            with pytest.raises(requests.ConnectionError):
                requests.get(urls[0], timeout=1)
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=2)
