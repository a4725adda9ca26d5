"""Scanning many files: skips with reasons, the content cache, the process pool."""

from __future__ import annotations

import json
import os
import random
import threading
from pathlib import Path

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.checks.secrets import tree
from pytest_readiness.checks.secrets.tree import scan_bytes, scan_files
from pytest_readiness.files import ProjectFiles
from pytest_readiness.reading import ReadLimits
from tests.secrets_samples import checksummed, password


def _project(root: Path, files: int = 6) -> list[str]:
    """A project with one secret in every other file; returns the secrets."""
    secrets = []
    for index in range(files):
        path = root / "pkg" / f"module_{index}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"VALUE_{index} = {index}"] * 50
        if index % 2 == 0:
            secret = checksummed("gh" + "p_", random.Random(index))
            secrets.append(secret)
            lines.insert(index, f"TOKEN = '{secret}'")
        path.write_text("\n".join(lines) + "\n")
    return secrets


def test_skips_binary_and_minified_with_the_reason() -> None:
    secret = password(random.Random(1))
    line = f"password = '{secret}'"
    assert scan_bytes(b"\0\1" + line.encode(), "a.bin").skipped == "binary"
    assert scan_bytes(b"var a=1;" * 5000, "bundle.js").skipped == "minified"
    assert scan_bytes(line.encode(), "vendor.min.js").skipped == "minified"
    assert scan_bytes(line.encode(), "a.py").skipped is None
    assert len(scan_bytes(line.encode(), "a.py").matches) == 1


def test_unchanged_files_come_from_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "project"
    _project(root)
    cache = ContentCache(tmp_path / "cache")
    cold = scan_files(ProjectFiles(root).all, cache, workers=1)
    warm = scan_files(ProjectFiles(root).all, cache, workers=1)
    assert (cold.files_cached, warm.files_cached) == (0, 6)
    assert warm.matches == cold.matches
    assert len(cold.matches) == 3
    (root / "pkg" / "module_1.py").write_text("changed = True\n")
    again = scan_files(ProjectFiles(root).all, cache, workers=1)
    assert again.files_cached == 5


def test_cache_entries_hold_no_secret(tmp_path: Path) -> None:
    root = tmp_path / "project"
    secrets = _project(root)
    scan_files(ProjectFiles(root).all, ContentCache(tmp_path / "cache"), workers=1)
    stored = "".join(path.read_text() for path in (tmp_path / "cache").rglob("*.json"))
    assert stored
    for secret in secrets:
        assert secret not in stored
        assert secret[4:20] not in stored


def test_process_pool_finds_what_one_process_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    _project(root, files=10)
    serial = scan_files(ProjectFiles(root).all, ContentCache(None), workers=1)
    monkeypatch.setattr(tree, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(tree, "BATCH_BYTES", 1)
    contexts = []
    original = tree._pool_context
    monkeypatch.setattr(tree, "_pool_context", lambda: contexts.append(1) or original())
    parallel = scan_files(ProjectFiles(root).all, ContentCache(None), workers=2)
    assert contexts == [1]
    assert parallel.matches == serial.matches
    assert parallel.files_scanned == serial.files_scanned == 10


def test_files_over_the_read_cap_are_skipped_before_reading(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 200)
    limits = ReadLimits(max_file_bytes=100)
    scan = scan_files(ProjectFiles(tmp_path).all, ContentCache(None), limits=limits)
    assert scan.skipped["over-cap"] == 1
    assert scan.skipped_paths["over-cap"] == ["big.txt"]


def test_a_utf16_file_with_a_byte_order_mark_is_scanned(tmp_path: Path) -> None:
    secret = password(random.Random(3))
    (tmp_path / "settings.py").write_text(f"password = '{secret}'\n", "utf-16")
    scan = scan_files(ProjectFiles(tmp_path).all, ContentCache(None), workers=1)
    assert [match.line for match in scan.matches] == [1]
    assert not scan.skipped


def test_pool_uses_a_fork_server_when_other_threads_run() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert tree._pool_context().get_start_method() == "forkserver"
    finally:
        stop.set()
        thread.join()


def test_unchanged_file_is_not_even_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tree, "RACY_NS", 0)
    root = tmp_path / "project"
    _project(root, files=2)
    cache = ContentCache(tmp_path / "cache")
    first = scan_files(ProjectFiles(root).all, cache, workers=1)

    def refuse(self: Path) -> bytes:
        raise AssertionError(f"{self} was read")

    with monkeypatch.context() as patch:
        patch.setattr(Path, "read_bytes", refuse)
        second = scan_files(ProjectFiles(root).all, cache, workers=1)
    assert second.matches == first.matches
    assert second.files_cached == 2


def test_rewrite_that_keeps_size_and_mtime_is_still_rescanned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tree, "RACY_NS", 0)
    root = tmp_path / "project"
    root.mkdir()
    target = root / "settings.py"
    old = checksummed("gh" + "p_", random.Random(1))
    target.write_text(f"T = '{old}'\n")
    os.utime(target, ns=(10**18, 10**18 - 10**12))
    cache = ContentCache(tmp_path / "cache")
    (first,) = scan_files(ProjectFiles(root).all, cache, workers=1).matches
    new = checksummed("gh" + "p_", random.Random(2))
    target.write_text(f"T = '{new}'\n")
    os.utime(target, ns=(10**18, 10**18 - 10**12))
    (second,) = scan_files(ProjectFiles(root).all, cache, workers=1).matches
    assert second.secret_hash != first.secret_hash


def test_malformed_cache_entry_is_rescanned(tmp_path: Path) -> None:
    root = tmp_path / "project"
    _project(root, files=2)
    cache = ContentCache(tmp_path / "cache")
    first = scan_files(ProjectFiles(root).all, cache, workers=1)
    (entry,) = (tmp_path / "cache").rglob("*.json")
    stored = json.loads(entry.read_text())
    for key in stored["results"]:
        stored["results"][key] = {"skipped": None, "matches": [["rule", "one", 1]]}
    entry.write_text(json.dumps(stored))
    again = scan_files(ProjectFiles(root).all, cache, workers=1)
    assert again.files_cached == 0
    assert again.matches == first.matches
