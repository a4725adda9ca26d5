"""Accepted secrets, keyed on (path, rule, hash of the secret) and never on line numbers.

Moving a line keeps a secret accepted; a new secret on an old line is still caught, because
its hash is new. A detect-secrets `.secrets.baseline` can be honoured as it is: its entries
are keyed on the file and the SHA-1 of the secret, which the scanner computes too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_readiness.checks.secrets.scanner import SecretMatch
from pytest_readiness.storage import write_atomically

FORMAT_VERSION = 1


class BaselineError(ValueError):
    """The baseline file exists but cannot be read as one."""


@dataclass
class Baseline:
    accepted: set[tuple[str, str, str]] = field(default_factory=set)
    """(path, rule, secret hash) of every accepted secret."""
    legacy: set[tuple[str, str]] = field(default_factory=set)
    """(path, SHA-1 of the secret) imported from a detect-secrets baseline."""

    def accepts(self, match: SecretMatch) -> bool:
        return (match.path, match.rule, match.secret_hash) in self.accepted or (
            match.path,
            match.legacy_hash,
        ) in self.legacy

    def __len__(self) -> int:
        return len(self.accepted) + len(self.legacy)

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Our own baseline file; a missing file is an empty baseline."""
        data = _read_json(path)
        if data is None:
            return cls()
        entries = data.get("accepted") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise BaselineError(f"{path}: expected an object with an `accepted` list")
        baseline = cls()
        for entry in entries:
            try:
                baseline.accepted.add((entry["path"], entry["rule"], entry["secret_hash"]))
            except (TypeError, KeyError) as error:
                raise BaselineError(f"{path}: entry {entry!r} lacks {error}") from None
        return baseline

    def import_detect_secrets(self, path: Path) -> int:
        """Add the entries of a detect-secrets baseline; returns how many there were."""
        data = _read_json(path)
        if data is None:
            return 0
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, dict):
            raise BaselineError(f"{path}: expected a detect-secrets baseline with `results`")
        count = 0
        for filename, entries in results.items():
            for entry in entries if isinstance(entries, list) else []:
                hashed = entry.get("hashed_secret") if isinstance(entry, dict) else None
                if isinstance(hashed, str):
                    self.legacy.add((filename, hashed))
                    count += 1
        return count


def write(path: Path, matches: Iterable[SecretMatch]) -> None:
    """Write the baseline of `matches` atomically, sorted so that diffs stay small."""
    entries = sorted(
        {(match.path, match.rule, match.secret_hash): match.preview for match in matches}.items()
    )
    document: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "accepted": [
            {"path": path_, "rule": rule, "secret_hash": digest, "preview": preview}
            for (path_, rule, digest), preview in entries
        ],
    }
    write_atomically(path, json.dumps(document, indent=2) + "\n")


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise BaselineError(f"{path}: {error}") from None
    try:
        return json.loads(text)
    except ValueError as error:
        raise BaselineError(f"{path}: not JSON: {error}") from None
