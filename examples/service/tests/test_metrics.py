"""The service's own metrics: rate, errors and duration per route template, and stock added."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from example_service.metrics import route_of
from prometheus_client.parser import text_string_to_metric_families


def scrape(base_url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_requests_are_counted_by_route_template_and_status(base_url: str) -> None:
    before = scrape(base_url)
    for name in ("bolt", "nut", "washer"):
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(f"{base_url}/items/{name}", timeout=5)
    after = scrape(base_url)
    labels = (("method", "GET"), ("route", "/items/{name}"), ("status", "404"))
    key = ("http_requests_total", labels)
    assert after[key] - before.get(key, 0) == 3
    count = ("http_request_duration_seconds_count", (("method", "GET"), ("route", "/items/{name}")))
    assert after[count] - before.get(count, 0) == 3


def test_added_stock_is_a_business_metric(base_url: str) -> None:
    before = scrape(base_url).get(("inventory_items_added_total", ()), 0)
    body = json.dumps({"name": "bolt", "quantity": 5}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{base_url}/items", data=body), timeout=5)
    assert scrape(base_url)[("inventory_items_added_total", ())] - before == 5


def test_routes_are_templates_never_raw_paths() -> None:
    assert route_of("/items/anything-at-all") == "/items/{name}"
    assert route_of("/changes?wait_s=3") == "/changes"
    assert route_of("/wp-admin") == "unmatched"
