"""Scenarios: the weighted request mix, request encoding and the target URL."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.traffic.scenario import RequestSpec, Scenario, Target, weighted_cycle


@given(weights=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=6))
def test_a_cycle_gives_each_kind_exactly_its_share(weights: list[int]) -> None:
    cycle = weighted_cycle(weights)
    counts = Counter(cycle)
    assert all(counts[i] * sum(weights) == len(cycle) * w for i, w in enumerate(weights))


def test_kinds_are_interleaved_not_bunched() -> None:
    assert weighted_cycle([3, 1]) == (0, 0, 1, 0)
    assert weighted_cycle([2, 2]) == (0, 1)


def test_a_request_is_encoded_as_http11_keep_alive() -> None:
    spec = RequestSpec("post", "/orders?x=1", (("X-Token", "t"),), b'{"a":1}')
    assert spec.encode("svc:8080") == (
        b"POST /orders?x=1 HTTP/1.1\r\nHost: svc:8080\r\nUser-Agent: pytest-readiness-load\r\n"
        b'X-Token: t\r\nContent-Length: 7\r\n\r\n{"a":1}'
    )
    assert spec.label == "POST /orders?x=1"
    assert b"Content-Length" not in RequestSpec().encode("h")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"path": "orders"}, "must start with /"),
        ({"path": "/a b"}, "must start with /"),
        ({"method": "GE T"}, "must be letters"),
        ({"weight": 0}, "at least 1"),
        ({"headers": (("X-A", "b\r\nEvil: 1"),)}, "not a valid HTTP header"),
    ],
)
def test_bad_requests_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RequestSpec(**kwargs)  # type: ignore[arg-type]


def test_targets_name_the_service_only() -> None:
    assert Target.parse("http://127.0.0.1:8080") == Target("http", "127.0.0.1", 8080)
    assert Target.parse("https://example.invalid/").host_header == "example.invalid"
    assert Target.parse("http://[::1]:81").host_header == "[::1]:81"
    with pytest.raises(ValueError, match="put paths in the requests"):
        Target.parse("http://127.0.0.1:8080/orders")
    with pytest.raises(ValueError, match="http:// or https://"):
        Target.parse("ftp://127.0.0.1")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"requests": ()},
        {"rate": None},
        {"rate": 0.0},
        {"users": 0},
        {"max_in_flight": 0},
        {"duration_s": 0.0},
        {"warmup_s": -1.0},
    ],
)
def test_bad_scenarios_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"scenario|rate|users|max_in_flight|duration_s"):
        Scenario(**kwargs)  # type: ignore[arg-type]


def test_a_closed_model_needs_no_rate() -> None:
    scenario = Scenario(rate=None, users=4)
    assert not scenario.open
    assert Scenario(rate=10.0).open
