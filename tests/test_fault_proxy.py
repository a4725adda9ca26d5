"""The TCP fault proxy in front of real Redis and PostgreSQL, and of a raw echo server."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from pytest_readiness.resilience import (
    Bandwidth,
    BlackHole,
    Down,
    FaultProxy,
    Latency,
    LimitData,
    ResetPeer,
    Slicer,
    SlowClose,
    assert_times_out,
)

redis = pytest.importorskip("redis")
psycopg = pytest.importorskip("psycopg")

Start = Callable[..., FaultProxy]


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.server.closed_at = None  # type: ignore[attr-defined]
        while data := self.request.recv(65536):
            self.request.sendall(data)
        self.server.closed_at = time.monotonic()  # type: ignore[attr-defined]


@pytest.fixture
def echo() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def client_of(server: socketserver.TCPServer, start: Start) -> tuple[FaultProxy, socket.socket]:
    proxy = start(server.server_address)
    return proxy, socket.create_connection(proxy.address, timeout=5)


def redis_client(proxy: FaultProxy, **options: object) -> redis.Redis:
    """A client that does not retry by itself (redis-py retries timeouts by default)."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    host, port = proxy.address
    return redis.Redis(host=host, port=port, retry=Retry(NoBackoff(), 0), **options)


def test_it_forwards_and_records(fault_proxy: Start, redis_port: int) -> None:
    proxy = fault_proxy(upstream=("127.0.0.1", redis_port))
    client = redis_client(proxy, socket_timeout=2)
    client.set("greeting", "hello")
    assert client.get("greeting") == b"hello"
    client.close()
    record = proxy.record
    assert len(record.connections) == 1
    assert record.bytes_upstream > 20
    assert record.bytes_downstream >= len(b"+OK\r\n$5\r\nhello\r\n")
    assert not record.connections[0].failed


def test_latency_is_added_and_can_change_mid_connection(
    fault_proxy: Start, redis_port: int
) -> None:
    proxy = fault_proxy(upstream=("127.0.0.1", redis_port))
    client = redis_client(proxy, socket_timeout=5)
    client.ping()  # the connection is open before the fault is set
    proxy.set(Latency(0.6, jitter=0.05, direction="downstream"))
    started = time.monotonic()
    client.ping()
    assert 0.54 <= time.monotonic() - started < 3.0
    proxy.clear()
    started = time.monotonic()
    client.ping()
    assert time.monotonic() - started < 0.4  # the latency is gone (a busy machine adds some)
    assert proxy.record.connections[0].faults == ("Latency",)


def test_black_hole_the_budgeted_client_fails_in_budget(
    fault_proxy: Start, redis_port: int
) -> None:
    proxy = fault_proxy(upstream=("127.0.0.1", redis_port))
    proxy.set(BlackHole())
    client = redis_client(proxy, socket_timeout=0.5, socket_connect_timeout=0.5)
    started = time.monotonic()
    assert_times_out(client.ping, within=2.0, raises=redis.exceptions.TimeoutError)
    assert 0.45 <= time.monotonic() - started < 1.5  # the socket_timeout, not luck


def test_black_hole_catches_a_client_without_timeout(fault_proxy: Start, redis_port: int) -> None:
    proxy = fault_proxy(upstream=("127.0.0.1", redis_port))
    proxy.set(BlackHole())
    client = redis_client(proxy)  # redis-py waits forever by default
    with pytest.raises(AssertionError, match="still running after 1 s"):
        assert_times_out(client.ping, within=1.0)
    proxy.close()  # releases the stuck call


def test_reset_peer_is_a_connection_error(fault_proxy: Start, redis_port: int) -> None:
    proxy = fault_proxy(upstream=("127.0.0.1", redis_port))
    proxy.set(ResetPeer(direction="both"))
    client = redis_client(proxy, socket_timeout=2)
    with pytest.raises(redis.exceptions.ConnectionError):
        client.ping()
    assert proxy.record.connections[0].closed_by == "proxy"


def test_down_refuses_and_the_pool_recovers(fault_proxy: Start, redis_port: int) -> None:
    proxy = fault_proxy(upstream=("127.0.0.1", redis_port))
    client = redis_client(proxy, socket_timeout=1, socket_connect_timeout=1)
    assert client.ping()
    proxy.set(Down())
    with pytest.raises(redis.exceptions.ConnectionError, match=r"refused|reset|closed"):
        client.ping()
    proxy.clear()
    assert client.ping()  # the same pool reconnects once the dependency is back
    assert proxy.record.connections[0].closed_by == "proxy"


def test_limit_data_cuts_the_answer(fault_proxy: Start, redis_port: int) -> None:
    proxy = fault_proxy(upstream=("127.0.0.1", redis_port))
    writer = redis_client(proxy, socket_timeout=2)
    writer.set("big", b"x" * 10_000)
    writer.close()
    proxy.set(LimitData(bytes=100))
    reader = redis_client(proxy, socket_timeout=2)
    with pytest.raises(redis.exceptions.ConnectionError):
        reader.get("big")
    assert proxy.record.connections[-1].bytes_downstream == 100


def test_bandwidth_and_slicer_slow_but_keep_the_data(fault_proxy: Start, redis_port: int) -> None:
    proxy = fault_proxy(upstream=("127.0.0.1", redis_port))
    value = bytes(range(256)) * 800  # 200 KiB
    redis_client(proxy, socket_timeout=5).set("blob", value)
    proxy.set(Bandwidth(bytes_per_second=500_000), Slicer(average_size=4096, variation=1024))
    started = time.monotonic()
    assert redis_client(proxy, socket_timeout=5).get("blob") == value
    assert time.monotonic() - started >= 0.35
    assert set(proxy.record.connections[-1].faults) == {"Bandwidth", "Slicer"}


def test_slow_close_holds_the_close(fault_proxy: Start, echo: socketserver.TCPServer) -> None:
    proxy, client = client_of(echo, fault_proxy)
    proxy.set(SlowClose(0.3, direction="upstream"))
    client.sendall(b"ping")
    assert client.recv(4) == b"ping"
    closed = time.monotonic()
    client.close()
    deadline = time.monotonic() + 3
    while getattr(echo, "closed_at", None) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert echo.closed_at - closed >= 0.28  # type: ignore[attr-defined]


def test_toxicity_hits_a_share_of_connections(
    fault_proxy: Start, echo: socketserver.TCPServer
) -> None:
    proxy = fault_proxy(echo.server_address)
    proxy.set(BlackHole(toxicity=0.5))
    answered = 0
    for _ in range(40):
        with socket.create_connection(proxy.address, timeout=0.3) as client:
            client.sendall(b"x")
            with contextlib.suppress(TimeoutError):
                answered += client.recv(1) == b"x"
    held = sum("BlackHole" in c.faults for c in proxy.record.connections)
    assert 5 <= held <= 35  # binomial(40, 0.5): outside this with p < 1e-6
    # A held connection never answers; a busy machine may make a free one miss 0.3 s too.
    assert answered <= 40 - held
    assert answered >= (40 - held) // 2


def first_byte(address: tuple[str, int]) -> bytes:
    with socket.create_connection(address, timeout=10) as client:
        return client.recv(1)


def test_an_unreachable_upstream_is_recorded(fault_proxy: Start) -> None:
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))
        proxy = fault_proxy(reserved.getsockname())  # bound, not listening: refused
        # The proxy resets what it cannot serve, so fast that connect() itself may see it.
        with pytest.raises(ConnectionResetError):
            first_byte(proxy.address)
    time.sleep(0.05)
    assert proxy.record.connections[0].reached_upstream is False
    assert proxy.record.connections[0].failed


def test_closing_releases_held_connections(
    fault_proxy: Start, echo: socketserver.TCPServer
) -> None:
    proxy, client = client_of(echo, fault_proxy)
    proxy.set(Latency(30.0, direction="both"))
    client.sendall(b"stuck")
    started = time.monotonic()
    proxy.close()
    assert time.monotonic() - started < 2.5
    # Released, not hung: an end of stream, or a reset when the proxy closed before it had read
    # the client's bytes (TCP resets a close with unread data).
    with contextlib.suppress(ConnectionResetError):
        assert client.recv(10) == b""


def test_postgres_connect_timeout_holds_under_black_hole(
    fault_proxy: Start, postgres_port: int
) -> None:
    proxy = fault_proxy(upstream=("127.0.0.1", postgres_port))
    host, port = proxy.address
    dsn = f"host={host} port={port} user=postgres dbname=postgres"
    with psycopg.connect(dsn, connect_timeout=2) as connection:
        assert connection.execute("select 1").fetchone() == (1,)
    proxy.set(BlackHole(direction="both"))
    assert_times_out(lambda: psycopg.connect(dsn, connect_timeout=1), within=4.0,
                     raises=psycopg.OperationalError)  # fmt: skip
    with pytest.raises(AssertionError, match="still running"):
        assert_times_out(lambda: psycopg.connect(dsn), within=1.5)
    proxy.close()


def test_postgres_down_then_up(fault_proxy: Start, postgres_port: int) -> None:
    proxy = fault_proxy(upstream=("127.0.0.1", postgres_port))
    host, port = proxy.address
    dsn = f"host={host} port={port} user=postgres dbname=postgres connect_timeout=2"
    proxy.set(Down())
    with pytest.raises(psycopg.OperationalError, match="refused"):
        psycopg.connect(dsn)
    proxy.clear()
    with psycopg.connect(dsn) as connection:
        assert connection.execute("select 2").fetchone() == (2,)


def test_toxics_validate_their_arguments() -> None:
    with pytest.raises(ValueError, match="toxicity"):
        Latency(0.1, toxicity=1.5)
    with pytest.raises(ValueError, match="direction"):
        BlackHole(direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="average_size"):
        Slicer(average_size=0)
