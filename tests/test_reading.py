"""Bounded reading: caps, no blocking on a FIFO, inside the rootdir, byte order marks."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.cache import ContentCache
from pytest_readiness.checks.python_sources import scan
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import Category, CheckRecord, Outcome, Severity
from pytest_readiness.reading import (
    LONG_LINE,
    NOT_REGULAR,
    OUTSIDE,
    OVER_CAP,
    NotRead,
    ReadLimits,
    ReadLog,
    decode,
    is_binary,
    read_bytes,
    read_text,
    scope,
)

SMALL = ReadLimits(max_file_bytes=100, max_line_bytes=40)


def finishes(action: Callable[[], object], seconds: float = 10) -> object:
    """Run `action` in a thread: a read that blocks fails the test instead of hanging it."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(action())
        except Exception as error:  # the caller asserts on it
            outcome.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the read blocked"
    return outcome[0]


def reason(action: Callable[[], object]) -> str:
    error = finishes(action)
    assert isinstance(error, NotRead), error
    return error.reason


def test_files_within_the_caps_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("short\nlines\n")
    assert read_bytes(tmp_path / "a.txt", limits=SMALL) == b"short\nlines\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"x\n" * 60, OVER_CAP), (b"y" * 50, LONG_LINE), (b"z" * 5000, OVER_CAP)],
)
def test_files_over_a_cap_are_not_read(tmp_path: Path, content: bytes, expected: str) -> None:
    (tmp_path / "big").write_bytes(content)
    assert reason(lambda: read_bytes(tmp_path / "big", limits=SMALL)) == expected


def test_a_file_swapped_for_a_fifo_after_listing_is_refused_without_blocking(
    tmp_path: Path,
) -> None:
    (tmp_path / "mod.py").write_text("import requests\n")
    (listed,) = ProjectFiles(tmp_path).all
    (tmp_path / "mod.py").unlink()
    os.mkfifo(tmp_path / "mod.py")
    assert reason(lambda: read_bytes(listed)) == NOT_REGULAR


def test_the_source_scan_of_timeouts_and_bandit_skips_a_swapped_fifo(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("import requests\n")
    listed = ProjectFiles(tmp_path).all
    (tmp_path / "mod.py").unlink()
    os.mkfifo(tmp_path / "mod.py")

    class Analyser:
        namespace, identity = "test", "1"

        def analyse(self, path: str, absolute: str, source: bytes) -> list[dict[str, object]]:
            return []

    log = ReadLog()
    with scope(ReadLimits(), tmp_path, log):
        outcome = finishes(lambda: scan(listed, Analyser(), ContentCache(None), jobs=1))
    assert getattr(outcome, "results", None) == {}
    assert log.not_read == {NOT_REGULAR: ["mod.py"]}


def test_a_symlink_swapped_in_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "environ").write_text("SECRET=1\n")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "a.txt").write_text("fine\n")
    (listed,) = ProjectFiles(tmp_path / "project").all
    (tmp_path / "project" / "a.txt").unlink()
    (tmp_path / "project" / "a.txt").symlink_to(tmp_path / "environ")
    assert reason(lambda: read_bytes(listed)) in (NOT_REGULAR, OUTSIDE)


def test_inside_a_scope_nothing_outside_the_rootdir_is_read(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("SECRET=1\n")
    (tmp_path / "project").mkdir()
    log = ReadLog()
    with scope(ReadLimits(), tmp_path / "project", log):
        assert reason(lambda: read_text(tmp_path / "project" / ".." / "secret.txt")) == OUTSIDE
        assert reason(lambda: read_text("/proc/self/environ")) == OUTSIDE
    assert log.not_read == {OUTSIDE: ["secret.txt", "environ"]}


def test_the_log_lands_in_the_record_metrics_and_summary(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_bytes(b"x = 1\n" * 50)
    (tmp_path / "ok.py").write_bytes(b"x = 1\n")
    log = ReadLog()
    with scope(SMALL, tmp_path, log):
        for name in ("big.py", "ok.py"):
            with contextlib.suppress(NotRead):
                read_bytes(tmp_path / name)
    record = CheckRecord("x", "readiness::x", Category.QUALITY, Severity.HIGH, Outcome.PASSED)
    record.summary = "2 files"
    log.annotate(record, SMALL)
    assert record.metrics == {"files_over_cap": 1.0}
    assert record.summary == (
        "2 files; not read: 1 over the size cap (big.py) [caps: 100 bytes per file, 40 per line]"
    )


def test_a_check_that_read_nothing_gets_no_metric() -> None:
    record = CheckRecord("x", "readiness::x", Category.QUALITY, Severity.HIGH, Outcome.PASSED)
    ReadLog().annotate(record, SMALL)
    assert (record.metrics, record.summary) == ({}, "")


# No NUL characters: a UTF-16 little-endian mark followed by U+0000 is the UTF-32 one. No lone
# surrogates: no codec writes them, so no file holds them.
@given(
    st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",))),
    st.sampled_from(["utf-16", "utf-32", "utf-8-sig", "utf-16-be", "utf-32-le"]),
)
def test_text_with_a_byte_order_mark_decodes_and_is_not_binary(text: str, codec: str) -> None:
    data = text.encode(codec, "surrogatepass")
    if codec.endswith(("-be", "-le")):
        data = ("\ufeff" + text).encode(codec, "surrogatepass")
    assert decode(data) == text
    assert not is_binary(data[:8192])


def test_nul_bytes_without_a_mark_are_binary() -> None:
    assert is_binary(b"PK\x03\x04\x00\x00")
    assert not is_binary("plain text, ünïcode".encode())
