"""Record: attempts, gaps measured from the end of each exchange, and the description."""

from __future__ import annotations

import pytest

from pytest_readiness.resilience import Exchange, Hang, Record, Respond


def exchange(arrived: float, ended: float | None, *, answered: bool = True) -> Exchange:
    fault = Respond(503) if answered else Hang()
    return Exchange("GET", "/", (("Host", "x"),), b"", fault, arrived, ended, answered=answered)


def test_gaps_run_from_the_end_of_one_exchange_to_the_next_arrival() -> None:
    record = Record((exchange(1.0, 1.5), exchange(1.7, 1.8), exchange(2.2, 2.2)))

    assert record.attempts == 3
    assert record.gaps() == pytest.approx((0.2, 0.4))


def test_unanswered_exchange_ends_when_the_client_timeout_expires() -> None:
    """urllib3 keeps the socket open while it backs off, so the server sees the close late."""
    record = Record((exchange(1.0, 1.35, answered=False), exchange(1.35, 1.4)))

    assert record.gaps() == pytest.approx((0.0,))
    assert record.gaps(timeout=0.05) == pytest.approx((0.3,))


def test_timeout_never_moves_an_end_the_server_saw_earlier() -> None:
    record = Record((exchange(1.0, 1.02, answered=False), exchange(1.3, 1.4)))

    assert record.gaps(timeout=0.05) == pytest.approx((0.28,))


def test_unfinished_exchange_counts_from_its_arrival() -> None:
    record = Record((exchange(10.0, None, answered=False), exchange(10.5, 10.6)))

    assert record.gaps() == pytest.approx((0.5,))
    assert "still open" in record.describe()


def test_description_lists_each_exchange_relative_to_the_first() -> None:
    record = Record((exchange(5.0, 5.001), exchange(5.25, None, answered=False)))

    assert record.describe() == (
        "  #1 GET / at +0.000 s -> 503, ended +0.001 s\n  #2 GET / at +0.250 s -> hang, still open"
    )
    assert Record(()).describe() == "  (no requests)"


def test_header_lookup_ignores_case() -> None:
    assert exchange(0, 0).header("HOST") == "x"
    assert exchange(0, 0).header("Accept") is None
