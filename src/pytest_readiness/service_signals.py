"""Signal handling for started services: a stopped pytest never leaves one running.

SIGTERM (what CI cancellation and `timeout` send) and SIGHUP end a Python process without
running `finally` blocks or atexit hooks. While a service runs, `SignalWatch` installs handlers
for them that stop every running service, then hand the signal on to whatever handled it before
(by default the signal's own action, so pytest still dies by SIGTERM with the status CI expects).
When the last service stops, the previous handlers are put back, so pytest's and xdist's own
handling is left as it was. SIGINT stays pytest's: a KeyboardInterrupt that unwinds through
`Service.stop`. `critical()` holds all three back during the few lines where a process exists
but is not yet registered, or is being killed and reaped, and delivers them right after.

Python lets only the main thread install handlers; a service started from another thread is
still stopped by `Service.stop` and the interpreter-exit hook, but not on SIGTERM.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None

STOPPING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class SignalWatch:
    """Stops the running services on SIGTERM/SIGHUP while any run; defers signals when asked."""

    def __init__(self, stop_all: Callable[[], None]) -> None:
        self._stop_all = stop_all
        self._previous: dict[int, Handler] = {}
        self._depth = 0
        self._pending: list[int] = []

    @property
    def armed(self) -> bool:
        return bool(self._previous)

    def arm(self) -> None:
        """Install the stopping handlers (once). A signal ignored (`nohup`) does not end pytest
        and is left ignored; a handler set from C is left alone."""
        if self._previous or not _in_main_thread():
            return
        for signum in STOPPING_SIGNALS:
            previous = signal.getsignal(signum)
            if previous is not None and previous != signal.SIG_IGN:
                self._previous[signum] = signal.signal(signum, self._on_signal)

    def disarm(self) -> None:
        """Put the previous handlers back, unless someone replaced ours in the meantime."""
        if not _in_main_thread():
            return
        for signum, previous in self._previous.items():
            if signal.getsignal(signum) == self._on_signal:
                signal.signal(signum, previous)
        self._previous.clear()

    @contextlib.contextmanager
    def critical(self) -> Iterator[None]:
        """Hold SIGINT, SIGTERM and SIGHUP back for the block; deliver them after it."""
        if not _in_main_thread():
            yield
            return
        saved: dict[int, Handler] = {}
        if self._depth == 0:
            for deferred in DEFERRED_SIGNALS:
                if signal.getsignal(deferred) is not None:
                    saved[deferred] = signal.signal(deferred, self._defer)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            for signum, handler in saved.items():
                signal.signal(signum, handler)
            if self._depth == 0:
                pending, self._pending = self._pending, []
                for signum in dict.fromkeys(pending):
                    signal.raise_signal(signum)

    def _defer(self, signum: int, frame: FrameType | None) -> None:
        self._pending.append(signum)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        previous = self._previous.get(signum, signal.SIG_DFL)
        self._stop_all()
        self.disarm()
        if callable(previous):
            previous(signum, frame)
        else:
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)
