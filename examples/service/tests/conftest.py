from __future__ import annotations

from collections.abc import Iterator

import pytest
from example_service.app import InventoryServer, start_in_thread


@pytest.fixture
def server() -> Iterator[InventoryServer]:
    running = start_in_thread()
    yield running
    running.shutdown()
    running.server_close()


@pytest.fixture
def base_url(server: InventoryServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"
