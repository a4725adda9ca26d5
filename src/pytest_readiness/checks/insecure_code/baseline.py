"""Accepted bandit findings, by fingerprint, so adopting the gate does not mean fixing all at once.

`pytest --readiness --readiness-baseline-update` writes the current findings here; later runs
report only findings whose fingerprint is new. Fingerprints leave out the line number, so
moving code keeps a finding accepted, while a new issue, or the same issue on a changed line,
is reported again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pytest_readiness.check import CheckError
from pytest_readiness.model import Finding
from pytest_readiness.storage import write_atomically

FORMAT_VERSION = 1


def load(path: Path) -> frozenset[str]:
    """The accepted fingerprints; a missing file accepts nothing, a broken one stops the check."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return frozenset()
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CheckError(f"bandit baseline {path.name} cannot be read: {error}") from error
    entries = data.get("accepted") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str) for entry in entries
    ):
        raise CheckError(f"bandit baseline {path.name}: expected an `accepted` list of entries")
    return frozenset(entry["fingerprint"] for entry in entries)


def write(path: Path, findings: Iterable[Finding]) -> None:
    """Write the findings as accepted, sorted so that diffs of the file stay small."""
    entries = sorted(
        (
            {
                "fingerprint": finding.fingerprint,
                "rule": finding.rule,
                "path": finding.path,
                "message": finding.message,
            }
            for finding in findings
        ),
        key=lambda entry: (entry["path"] or "", entry["rule"], entry["fingerprint"]),
    )
    text = json.dumps({"version": FORMAT_VERSION, "accepted": entries}, indent=2) + "\n"
    write_atomically(path, text)
