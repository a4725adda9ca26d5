"""Reading a module's source for the marker without importing it (`--readiness-only`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness import markers
from pytest_readiness.markers import mentions_marker

NEEDLE = markers.MARKER.encode()
without_needle = st.binary(max_size=40).filter(lambda data: NEEDLE not in data)


@given(without_needle, without_needle, st.integers(min_value=1, max_value=12))
def test_the_marker_is_found_across_chunk_boundaries(
    before: bytes, after: bytes, chunk: int
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "test_x.py"
        path.write_bytes(before + NEEDLE + after)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(markers, "SCAN_CHUNK", chunk)
            assert mentions_marker(path)
            path.write_bytes(before + after)
            assert mentions_marker(path) is (NEEDLE in before + after)


def test_an_unreadable_module_is_left_to_pytest(tmp_path: Path) -> None:
    assert mentions_marker(tmp_path / "missing.py")
