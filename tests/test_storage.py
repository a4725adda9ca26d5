"""Atomic writes: the whole new text or the old file, never a mix, and no stray temporaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.storage import write_atomically


def test_writes_and_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "baseline.json"
    write_atomically(target, "first\n")
    write_atomically(target, "second\n")
    assert target.read_text() == "second\n"
    assert [path.name for path in target.parent.iterdir()] == ["baseline.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    write_atomically(target, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "half \udc80 written")
    assert target.read_text() == "old\n"
    assert [path.name for path in tmp_path.iterdir()] == ["baseline.json"]
