"""Results cached by content hash in pytest's cache directory: unchanged files are not re-checked.

Entries are JSON files named by a digest of everything the result depends on (file content,
the check's version, its settings). Writes are atomic (`storage.write_atomically`), so
pytest-xdist workers writing the same entry at once cannot leave a torn file behind.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pytest_readiness.storage import write_atomically


def content_key(*parts: str | bytes) -> str:
    """A digest of the parts, each length-prefixed so that ("ab", "c") != ("a", "bc")."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class ContentCache:
    """A directory of JSON entries keyed by digest; `directory=None` turns it off."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def _entry(self, namespace: str, key: str) -> Path:
        assert self.directory is not None
        return self.directory / namespace / key[:2] / f"{key}.json"

    def get(self, namespace: str, key: str) -> Any | None:
        if self.directory is None:
            return None
        try:
            return json.loads(self._entry(namespace, key).read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, namespace: str, key: str, value: Any) -> None:
        if self.directory is None:
            return
        try:
            write_atomically(self._entry(namespace, key), json.dumps(value, separators=(",", ":")))
        except OSError:
            return
