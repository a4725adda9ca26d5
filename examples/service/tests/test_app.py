import json
import urllib.error
import urllib.request

import pytest


def _request(url: str, data: bytes | None = None) -> tuple[int, object]:
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_added_item_is_listed(base_url: str) -> None:
    status, _ = _request(f"{base_url}/items", json.dumps({"name": "bolt", "quantity": 4}).encode())
    assert status == 201
    assert _request(f"{base_url}/items") == (200, {"bolt": 4})
    assert _request(f"{base_url}/items/bolt") == (200, {"name": "bolt", "quantity": 4})


@pytest.mark.parametrize("body", [b"not json", b'{"name": "bolt", "quantity": -1}'])
def test_bad_body_is_a_client_error(base_url: str, body: bytes) -> None:
    status, payload = _request(f"{base_url}/items", body)
    assert status == 400
    assert "error" in payload  # type: ignore[operator]


def test_unknown_paths_are_not_found(base_url: str) -> None:
    assert _request(f"{base_url}/nope")[0] == 404
    assert _request(f"{base_url}/items/nut")[0] == 404
