import json
import threading
import time
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


def test_a_long_poll_answers_when_stock_changes(base_url: str) -> None:
    started = time.monotonic()
    adding = threading.Timer(
        0.2, _request, (f"{base_url}/items", json.dumps({"name": "nut", "quantity": 1}).encode())
    )
    adding.start()
    assert _request(f"{base_url}/changes?wait_s=5") == (200, {"nut": 1})
    assert time.monotonic() - started < 4
    adding.join()


def test_a_long_poll_without_change_answers_after_its_wait(base_url: str) -> None:
    started = time.monotonic()
    assert _request(f"{base_url}/changes?wait_s=0.3") == (200, {})
    assert time.monotonic() - started >= 0.3
    assert _request(f"{base_url}/changes?wait_s=soon")[0] == 400
