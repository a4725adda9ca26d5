"""A keep-alive HTTP server for the load tests, misbehaving in chosen, repeatable ways.

Run as its own process (`python tests/load_servers.py --port N [options]`) so that the
generator and the server never share a GIL. asyncio, so that a delay holds no thread:
    --delay-ms D       every answer waits D ms (concurrently)
    --error-rate R     exactly that share of answers is a 500 (every 1/R-th, not at random)
    --stall-after-s T  once, T s after the first request, block the whole server ...
    --stall-ms S       ... for S ms (a stop-the-world pause)
    --leak-kb K        keep K KiB for every request answered (a memory leak)
    --chunks C         answer with C one-byte chunks (cheap to send, dear to read)
    --exit-after N     exit with status 3 after N answers (a crash under load)
    --close            close the connection after every answer (no keep-alive)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pytest_readiness.runner import Service, free_port

SCRIPT = Path(__file__).resolve()


@dataclass
class Behaviour:
    delay_ms: float = 0.0
    error_rate: float = 0.0
    stall_after_s: float | None = None
    stall_ms: float = 0.0
    leak_kb: int = 0
    chunks: int = 0
    exit_after: int = 0
    close: bool = False
    answered: int = 0
    first_at: float | None = None
    stalled: bool = False
    kept: list[bytes] = field(default_factory=list)

    def argv(self) -> list[str]:
        options = {
            "--delay-ms": self.delay_ms,
            "--error-rate": self.error_rate,
            "--stall-ms": self.stall_ms,
            "--leak-kb": self.leak_kb,
            "--chunks": self.chunks,
            "--exit-after": self.exit_after,
        }
        argv = [part for name, value in options.items() if value for part in (name, str(value))]
        if self.stall_after_s is not None:
            argv += ["--stall-after-s", str(self.stall_after_s)]
        return [*argv, "--close"] if self.close else argv

    def status(self) -> int:
        """500 for exactly `error_rate` of the answers, spread evenly."""
        self.answered += 1
        failed = math.floor(self.answered * self.error_rate)
        return 500 if failed > math.floor((self.answered - 1) * self.error_rate) else 200

    def stall_now(self) -> bool:
        now = time.monotonic()
        self.first_at = self.first_at if self.first_at is not None else now
        if self.stall_after_s is None or self.stalled:
            return False
        self.stalled = now - self.first_at >= self.stall_after_s
        return self.stalled


async def _serve_connection(
    behaviour: Behaviour, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            for line in head.lower().split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    await reader.readexactly(int(line.split(b":")[1]))
            if behaviour.stall_now():
                time.sleep(behaviour.stall_ms / 1000)  # blocks every connection: the point
            if behaviour.delay_ms:
                await asyncio.sleep(behaviour.delay_ms / 1000)
            if behaviour.leak_kb:
                behaviour.kept.append(b"x" * (behaviour.leak_kb * 1024))
            writer.write(_answer(behaviour))
            if behaviour.close:
                await writer.drain()
                return
            if behaviour.answered == behaviour.exit_after:
                print(f"crashing after {behaviour.answered} answers", flush=True)
                os._exit(3)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _answer(behaviour: Behaviour) -> bytes:
    status = behaviour.status()
    reason = b"OK" if status == 200 else b"Internal Server Error"
    if behaviour.chunks:
        body = b"1\r\nx\r\n" * behaviour.chunks + b"0\r\n\r\n"
        framing = b"Transfer-Encoding: chunked"
    else:
        body = b"ok"
        framing = b"Content-Length: 2"
    if behaviour.close:
        framing += b"\r\nConnection: close"
    return b"HTTP/1.1 %d %s\r\n%s\r\n\r\n%s" % (status, reason, framing, body)


async def serve(port: int, behaviour: Behaviour) -> None:
    def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> asyncio.Task[None]:
        return asyncio.ensure_future(_serve_connection(behaviour, reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


@contextmanager
def running(behaviour: Behaviour | None = None, env: dict[str, str] | None = None) -> Iterator[str]:
    """Start the server as a process through the runner; yields its URL; always stops it."""
    port = free_port()
    argv = [sys.executable, str(SCRIPT), "--port", str(port), *(behaviour or Behaviour()).argv()]
    with Service(argv, cwd=SCRIPT.parent, env=env or {}) as service:
        service.wait_until_accepting(port, timeout_s=10)
        yield f"http://127.0.0.1:{port}"


def command(behaviour: Behaviour) -> str:
    """The server as a `command` for a `[[tool.readiness.load]]` entry."""
    return " ".join(["{python}", shlex.quote(str(SCRIPT)), "--port", "{port}", *behaviour.argv()])


def _main(arguments: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    options: dict[str, Callable[[str], object]] = {
        "--delay-ms": float,
        "--error-rate": float,
        "--stall-after-s": float,
        "--stall-ms": float,
        "--leak-kb": int,
        "--chunks": int,
        "--exit-after": int,
    }
    for name, kind in options.items():
        parser.add_argument(name, type=kind)
    parser.add_argument("--close", action="store_true")
    parsed = vars(parser.parse_args(arguments))
    port = parsed.pop("port")
    behaviour = Behaviour(**{key: value for key, value in parsed.items() if value is not None})
    asyncio.run(serve(port, behaviour))


if __name__ == "__main__":
    _main()
