"""Real Redis and PostgreSQL servers on free 127.0.0.1 ports, for the fault proxy's tests.

CI installs Debian's `redis-server` and `postgresql`; a missing server there fails the tests
(`CI` is set), elsewhere it skips them. PostgreSQL refuses to run as root, so as root the data
directory belongs to the `postgres` user and the server runs as that user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_readiness.runner import Service, free_port

START_TIMEOUT = 30.0


def _missing(program: str) -> None:
    message = f"{program} is not installed (Debian: see .ci/run)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    program = shutil.which("redis-server")
    if program is None:
        _missing("redis-server")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    argv = [str(program), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(folder)]  # fmt: skip
    with Service(argv, cwd=folder, env={}) as server:
        server.wait_until_accepting(port, START_TIMEOUT)
        yield port


@pytest.fixture(scope="session")
def postgres_port() -> Iterator[int]:
    binaries = _postgres_bin()
    if binaries is None:
        _missing("postgresql")
    assert binaries is not None
    # pytest's temporary root is private to its user: the postgres user could not reach it.
    with tempfile.TemporaryDirectory(prefix="readiness-postgres-") as name:
        yield from _postgres(binaries, Path(name))


def _postgres(binaries: Path, folder: Path) -> Iterator[int]:
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    initdb = [*as_user, str(binaries / "initdb"), "-D", str(data), "-A", "trust",
              "-U", "postgres", "--no-sync"]  # fmt: skip
    done = subprocess.run(
        initdb, cwd=folder, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"initdb failed:\n{done.stdout}{done.stderr}")
    port = free_port()
    argv = [*as_user, str(binaries / "postgres"), "-D", str(data), "-p", str(port),
            "-h", "127.0.0.1", "-k", str(sockets), "-c", "fsync=off"]  # fmt: skip
    with Service(argv, cwd=folder, env={}) as server:
        server.wait_until_accepting(port, START_TIMEOUT)
        ready = [str(binaries / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-t", "1"]
        deadline = time.monotonic() + START_TIMEOUT
        while subprocess.run(ready, capture_output=True, check=False).returncode != 0:
            if time.monotonic() > deadline or server.exit_code() is not None:
                pytest.fail(f"PostgreSQL did not become ready:\n{server.output_tail()}")
            time.sleep(0.1)
        yield port
