"""The table of outbound calls: aliases, subprocess opt-in, extra names."""

from __future__ import annotations

from pytest_readiness.checks.timeouts.calls import NETWORK_FUNCTIONS, CallTable, TimeoutRule


def test_module_aliases_point_at_the_same_entries() -> None:
    assert NETWORK_FUNCTIONS["requests.api.get"] is NETWORK_FUNCTIONS["requests.get"]
    assert NETWORK_FUNCTIONS["requests.sessions.Session"].creates == "requests.Session"
    assert NETWORK_FUNCTIONS["urllib3.poolmanager.PoolManager"].creates == "urllib3.pool"


def test_subprocess_calls_are_only_in_the_table_when_asked_for() -> None:
    default = CallTable.build(subprocess=False, extra=[])
    with_subprocess = CallTable.build(subprocess=True, extra=[])

    assert "subprocess.run" not in default.functions
    assert default.method("subprocess.Popen", "communicate") is None
    assert with_subprocess.functions["subprocess.run"].rule is TimeoutRule.REQUIRED
    assert not with_subprocess.functions["subprocess.run"].network
    communicate = with_subprocess.method("subprocess.Popen", "communicate")
    assert communicate is not None
    assert communicate.position == 1


def test_extra_names_require_a_keyword_timeout_without_replacing_known_ones() -> None:
    table = CallTable.build(subprocess=False, extra=["billing.client.charge", "requests.get"])

    charge = table.functions["billing.client.charge"]
    assert (charge.rule, charge.position) == (TimeoutRule.REQUIRED, None)
    assert table.functions["requests.get"] is NETWORK_FUNCTIONS["requests.get"]


def test_client_methods_differ_in_whether_the_client_supplies_a_timeout() -> None:
    table = CallTable.build(subprocess=False, extra=[])

    session_get = table.method("requests.Session", "get")
    httpx_get = table.method("httpx.Client", "get")
    assert session_get is not None
    assert session_get.rule is TimeoutRule.REQUIRED
    assert httpx_get is not None
    assert httpx_get.rule is TimeoutRule.NONE_ONLY
    assert table.method("requests.Session", "mount") is None
