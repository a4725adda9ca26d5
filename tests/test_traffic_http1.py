"""The keep-alive client connection against a real server sending chosen bytes."""

from __future__ import annotations

import asyncio

import pytest

from pytest_readiness.traffic.http1 import Connection

GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


async def _exchange(answers: list[bytes], *, expects_body: bool = True) -> list[tuple[int, str]]:
    """Serve `answers` in order, one per request (split in two writes), on one connection."""
    served = iter(answers)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for answer in served:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer[:7])
            await writer.drain()
            await asyncio.sleep(0.001)
            writer.write(answer[7:])
            await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    seen: list[tuple[int, str]] = []
    arrived = asyncio.Event()

    def on_answer(connection: Connection, status: int, error: str | None) -> None:
        seen.append((status, error or ""))
        arrived.set()

    loop = asyncio.get_running_loop()
    _, connection = await loop.create_connection(lambda: Connection(on_answer), "127.0.0.1", port)
    for _ in answers:
        if not connection.open:
            break
        arrived.clear()
        connection.send(GET, expects_body=expects_body)
        await asyncio.wait_for(arrived.wait(), 2)
    connection.close()
    server.close()
    await server.wait_closed()
    return seen


def _run(answers: list[bytes], **kwargs: bool) -> list[tuple[int, str]]:
    return asyncio.run(_exchange(answers, **kwargs))


def test_content_length_answers_reuse_the_connection() -> None:
    answers = [b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", b"HTTP/1.1 404 NF\r\n\r\n"]
    answers[1] = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
    assert _run(answers) == [(200, ""), (404, "")]


def test_chunked_answers_with_extensions_and_trailers() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n"
    )
    assert _run([chunked, chunked]) == [(200, ""), (200, "")]


def test_interim_answers_are_skipped() -> None:
    answer = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
    assert _run([answer]) == [(201, "")]


def test_no_body_for_204_and_head() -> None:
    assert _run([b"HTTP/1.1 204 No Content\r\n\r\n"] * 2) == [(204, "")] * 2
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"
    assert _run([head, head], expects_body=False) == [(200, "")] * 2


def test_an_answer_read_until_close() -> None:
    assert _run([b"HTTP/1.0 200 OK\r\n\r\nall of it"]) == [(200, "")]


def test_connection_close_ends_the_connection_after_the_answer() -> None:
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    assert _run([closing, closing]) == [(200, "")]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (b"SSH-2.0-OpenSSH\r\n\r\n", "bad answer"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "connection reset"),
    ],
)
def test_garbage_and_truncation_are_errors(answer: bytes, error: str) -> None:
    ((status, seen),) = _run([answer])
    assert status == 0
    assert error in seen


def test_time_out_reports_once_and_closes() -> None:
    async def scenario() -> list[str | None]:
        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(100)

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        errors: list[str | None] = []
        _, connection = await asyncio.get_running_loop().create_connection(
            lambda: Connection(lambda c, s, e: errors.append(e)), "127.0.0.1", port
        )
        connection.send(GET)
        await asyncio.sleep(0.01)
        connection.time_out()
        connection.time_out()
        await asyncio.sleep(0.01)
        assert not connection.open
        with pytest.raises(RuntimeError):
            connection.send(GET)
        server.close()
        return errors

    assert asyncio.run(scenario()) == ["timeout"]
