"""The `guard` fixture: every process a test starts must be gone when the test ends."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from tests.health_servers import LeakGuard


@pytest.fixture
def guard() -> Iterator[LeakGuard]:
    """Marks the processes a test starts; afterwards none may be left (they are killed if so)."""
    leak_guard = LeakGuard()
    yield leak_guard
    survivors = leak_guard.survivors()
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == [], "processes started by the test outlived it"
