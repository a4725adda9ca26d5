"""The one service runner: start the project's service on a free port, wait, and always stop it.

Every runtime check (`health`, and those that drive traffic or signals at a started service)
starts processes only through this module, so cleanup, placeholders and readiness waits behave
the same everywhere. The service runs in its own process group so that stopping it also stops
whatever it spawned (a shell, a reloader, worker processes). It is stopped on every way out:
success, a failed expectation, an exception, Ctrl-C (also during the grace wait: the group is
then killed at once), SIGTERM and SIGHUP to pytest (`service_signals`), and as a last resort at
interpreter exit. A service is ready only while its own process is alive: given its `port`, a
port that already answers before the start, or a command that dies of "Address already in
use", is a `PortConflict` naming the process that holds the port.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol, TypeVar

from pytest_readiness.service_signals import SignalWatch


class Attempt(Protocol):
    """What a readiness poll returns: whether anything answered, and how to say what it was."""

    @property
    def answered(self) -> bool: ...

    def describe(self) -> str: ...


AttemptT = TypeVar("AttemptT", bound=Attempt)

STOP_GRACE_S = 3.0
KILL_WAIT_S = 2.0
"""How long to wait for the group to vanish after SIGKILL (only a process stuck in the kernel
takes longer)."""
POLL_INTERVAL_S = 0.02
OUTPUT_TAIL_LINES = 20
OUTPUT_TAIL_BYTES = 8192


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (the service binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def accepts_connections(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
        client.settimeout(0.2)
        return client.connect_ex((host, port)) == 0


@dataclass(frozen=True)
class Placeholders:
    """The values filled into `{port}`, `{dependency_port}` and `{python}`."""

    port: int
    dependency_port: int
    python: str = sys.executable

    def fill(self, text: str) -> str:
        replacements = {
            "{port}": str(self.port),
            "{dependency_port}": str(self.dependency_port),
            "{python}": self.python,
        }
        for placeholder, value in replacements.items():
            text = text.replace(placeholder, value)
        return text

    def unfill(self, text: str) -> str:
        """Put the placeholders back, so that a fingerprint does not change with the port."""
        text = text.replace(f":{self.port}", ":{port}")
        return text.replace(f":{self.dependency_port}", ":{dependency_port}")

    def argv(self, command: str) -> list[str]:
        """Split first, fill in second: an interpreter path with spaces stays one argument."""
        return [self.fill(part) for part in shlex.split(command)]


class StartupError(Exception):
    """The service did not become ready; carries the last lines of its output."""

    def __init__(self, reason: str, output_tail: str, *, exited: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.output_tail = output_tail
        self.exited = exited
        """True when the process ended; False when it ran but never became ready."""


class PortConflict(StartupError):
    """The service's port is held by another process, so answers on it prove nothing."""


ADDRESS_IN_USE = "Address already in use"


class Service:
    """A command run in its own process group, its output kept in a temporary file."""

    def __init__(
        self,
        argv: list[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        port: int | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.argv = argv
        self.cwd = cwd
        self.env = dict(env)
        self.port = port
        """The port the service must bind: checked free before the start, named in conflicts."""
        self.host = host
        self._output: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = False

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        if self._process is not None:
            raise RuntimeError(f"{shlex.join(self.argv)} is already running")
        if self.port is not None and accepts_connections(self.port, self.host):
            raise PortConflict(
                f"port {self.port} already answers before the service started: "
                f"held by {port_holder(self.port)}",
                "",
                exited=True,
            )
        _WATCH.arm()
        try:
            with _WATCH.critical():
                self._spawn()
        except BaseException:
            self.stop()  # a Ctrl-C held back during the start arrives here: leave nothing
            raise
        finally:
            if not _RUNNING:
                _WATCH.disarm()

    def _spawn(self) -> None:
        """Start and register in one step that no signal can split."""
        self._output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        try:
            self._process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=self._output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            self._output.close()
            self._output = None
            raise StartupError(
                f"cannot run {shlex.join(self.argv)}: {error}", "", exited=True
            ) from error
        _RUNNING.add(self)

    def exit_code(self) -> int | None:
        """The exit status once the service has exited, else None."""
        return None if self._process is None else self._process.poll()

    def output_tail(self, lines: int = OUTPUT_TAIL_LINES) -> str:
        if self._output is None:
            return ""
        self._output.flush()
        size = self._output.seek(0, os.SEEK_END)
        self._output.seek(max(0, size - OUTPUT_TAIL_BYTES))
        text = self._output.read().decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    def ensure_running(self, when: str) -> None:
        """Raise StartupError (a PortConflict when it says so) if the service has exited."""
        code = self.exit_code()
        if code is not None:
            raise self._exit_error(code, when)

    def send_signal(self, signum: signal.Signals) -> None:
        """Signal the command's own process only, as a container runtime signals PID 1."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signum)

    def wait_exit(self, timeout_s: float) -> int | None:
        """The exit status once the command's process ends within `timeout_s`, else None."""
        deadline = time.monotonic() + timeout_s
        while (code := self.exit_code()) is None and time.monotonic() < deadline:
            time.sleep(POLL_INTERVAL_S)
        return code

    def terminate_group(self) -> None:
        """SIGTERM to the whole group, without waiting."""
        if self._process is not None:
            _signal_group(self._process.pid, signal.SIGTERM)

    def stop(self) -> int | None:
        """Terminate the whole process group, kill it after a grace period, reap the leader.

        Returns the leader's exit status (negative: the signal that ended it), None if never
        started or unreapable.

        Interrupted during the grace wait (Ctrl-C, or SIGTERM/SIGHUP whose handler stops every
        service), it kills the group at once; the service is forgotten only once it is gone.
        """
        process = self._process
        if process is None:
            return None
        grace_s = 0.0 if self._stopping else STOP_GRACE_S
        self._stopping = True
        try:
            _signal_group(process.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace_s
            while _group_alive(process) and time.monotonic() < deadline:
                time.sleep(POLL_INTERVAL_S)
        finally:
            self._stopping = False
            with _WATCH.critical():
                self._kill(process)
            if not _RUNNING:
                _WATCH.disarm()
        return process.returncode

    def _kill(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + KILL_WAIT_S
        while _group_alive(process) and time.monotonic() < deadline:
            _signal_group(process.pid, signal.SIGKILL)
            time.sleep(POLL_INTERVAL_S)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=KILL_WAIT_S)
        if self._process is process:
            self._process = None
        _RUNNING.discard(self)
        if self._output is not None:
            self._output.close()
            self._output = None

    def _exit_error(self, code: int, when: str) -> StartupError:
        tail = self.output_tail()
        if self.port is not None and ADDRESS_IN_USE in tail:
            return PortConflict(
                f"exited with status {code} {when}: port {self.port} is already in use, "
                f"held by {port_holder(self.port)}",
                tail,
                exited=True,
            )
        return StartupError(f"exited with status {code} {when}", tail, exited=True)

    def wait_until_ready(
        self,
        attempt: Callable[[], AttemptT],
        ready: Callable[[AttemptT], bool],
        timeout_s: float,
    ) -> float:
        """Poll until `ready(attempt())`; returns the milliseconds it took since the start.

        Raises StartupError when the process exits first or the timeout passes.
        """
        started = time.monotonic()
        deadline = started + timeout_s
        last = "it never accepted a connection"
        while True:
            self.ensure_running("before it was ready")
            answer = attempt()
            if ready(answer):
                self.ensure_running("just after the first ready answer")
                return (time.monotonic() - started) * 1000
            if answer.answered:
                last = f"its last answer was {answer.describe()}"
            if time.monotonic() >= deadline:
                raise StartupError(f"not ready within {timeout_s:g} s: {last}", self.output_tail())
            time.sleep(POLL_INTERVAL_S)

    def wait_until_accepting(self, port: int, timeout_s: float) -> None:
        """For a dependency stand-in whose readiness is just an open port."""
        deadline = time.monotonic() + timeout_s
        while not accepts_connections(port):
            self.ensure_running("before it listened")
            if time.monotonic() >= deadline:
                raise StartupError(f"not listening on port {port} within {timeout_s:g} s", "")
            time.sleep(POLL_INTERVAL_S)

    def __enter__(self) -> Service:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _process_entries() -> Iterator[Path]:
    proc = Path("/proc")
    if proc.is_dir():
        yield from (entry for entry in proc.iterdir() if entry.name.isdigit())


def _listeners(port: int) -> Iterator[list[str]]:
    """The /proc/net/tcp{,6} rows of the sockets listening on a port (this network namespace)."""
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in Path("/proc/net", table).read_text().splitlines()[1:]:
                fields = line.split()
                listening = fields[3] == "0A"
                if listening and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    yield fields


def port_holder(port: int) -> str:
    """Which process listens on a TCP port ("pid 123 (gunicorn)"), as far as /proc tells."""
    sockets = {f"socket:[{fields[9]}]" for fields in _listeners(port)}
    for entry in _process_entries() if sockets else ():
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in sockets for fd in (entry / "fd").iterdir()):
                return f"pid {entry.name} ({(entry / 'comm').read_text().strip()})"
    return "another process"


def accept_queue(port: int) -> int | None:
    """Connections the kernel completed on a listening port that no accept() took yet.

    None when /proc does not show the listener (another OS, another network namespace).
    """
    rows = list(_listeners(port))
    if not rows:
        return None
    return sum(int(fields[4].split(":")[1], 16) for fields in rows)


def _group_alive(process: subprocess.Popen[bytes]) -> bool:
    """Whether any process of the group is left; reaps the leader as soon as it exits."""
    process.poll()
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return process.returncode is None or _has_live_members(process.pid)


def _has_live_members(pgid: int) -> bool:
    """Members other than zombies: a zombie answers signal 0 but holds nothing open."""
    if not Path("/proc").is_dir():
        return True
    for entry in _process_entries():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


_RUNNING: set[Service] = set()


@atexit.register
def _stop_all() -> None:
    """On SIGTERM/SIGHUP, and as the last resort at interpreter exit: every group at once."""
    services = list(_RUNNING)
    for service in services:
        service.terminate_group()
    for service in services:
        service.stop()


_WATCH = SignalWatch(_stop_all)
