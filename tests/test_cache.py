"""The content-hash cache: unambiguous keys, lasting entries, and off means off."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.cache import ContentCache, content_key


@given(st.text(), st.text(), st.text(), st.text())
def test_keys_differ_when_the_parts_differ(a: str, b: str, c: str, d: str) -> None:
    assert (content_key(a, b) == content_key(c, d)) is ((a, b) == (c, d))


def test_round_trip_and_miss(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path / "c")
    key = content_key("file content", "check v1")
    assert cache.get("secrets", key) is None
    cache.put("secrets", key, {"findings": [1, 2]})
    assert cache.get("secrets", key) == {"findings": [1, 2]}
    assert cache.get("bandit", key) is None


def test_disabled_cache_writes_nothing(tmp_path: Path) -> None:
    cache = ContentCache(None)
    cache.put("secrets", content_key("x"), {"a": 1})
    assert cache.get("secrets", content_key("x")) is None
    assert not cache.enabled
    assert list(tmp_path.iterdir()) == []


def test_torn_entry_reads_as_a_miss(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path)
    key = content_key("x")
    cache.put("ns", key, [1])
    entry = next(tmp_path.rglob("*.json"))
    entry.write_text("{not json")
    assert cache.get("ns", key) is None
