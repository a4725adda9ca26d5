"""Pushes a snapshot of the stock levels to the reporting service, as JSON over HTTP."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from example_service.inventory import Inventory


def export_snapshot(inventory: Inventory, endpoint: str) -> int:
    """POST the inventory to `endpoint` (`http://host:port/path`) and return the HTTP status.

    Deliberate readiness flaw, documented in the README and waived in pyproject.toml: the
    connection has no timeout, so a reporting service that accepts and never answers blocks
    the caller forever.
    """
    target = urlsplit(endpoint)
    connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port or 80)
    try:
        body = json.dumps(inventory.as_dict()).encode()
        headers = {"Content-Type": "application/json"}
        connection.request("POST", target.path or "/", body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()
