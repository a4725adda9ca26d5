"""Attestations: a person's word for a review item that code cannot prove, with an expiry.

Like a waiver, an attestation names who, when and why, and stops counting on its expiry date;
unlike a waiver it adds evidence instead of accepting a finding. Its `evidence` is a URL or a
path inside the project that must exist, so an attestation cannot point at nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

URL_SCHEMES = ("https://", "http://")


@dataclass(frozen=True)
class Attestation:
    """One `[[tool.readiness.attestations]]` entry."""

    item: str
    """The id of a catalogue item, e.g. `operations.on-call-trained`."""
    by: str
    """Who vouches for the item."""
    date: datetime.date
    """When they checked it."""
    evidence: str
    """A URL, or a path relative to the rootdir that must exist (a document, a record)."""
    expires: datetime.date
    """The last day the attestation counts; after it the verdict is not-ready until renewed."""

    def validate(self) -> None:
        for name in ("item", "by", "evidence"):
            if not getattr(self, name).strip():
                raise ValueError(f"an attestation needs a non-empty `{name}`")
        if self.expires < self.date:
            raise ValueError(
                f"`expires` ({self.expires.isoformat()}) is before `date` ({self.date.isoformat()})"
            )

    def expired(self, today: datetime.date) -> bool:
        return self.expires < today

    @property
    def is_url(self) -> bool:
        return self.evidence.startswith(URL_SCHEMES)

    def evidence_problem(self, rootdir: Path) -> str | None:
        """Why the evidence does not hold, if it does not: a path that is missing or outside."""
        if self.is_url:
            return None
        root = rootdir.resolve()
        target = (root / self.evidence).resolve()
        if not target.is_relative_to(root):
            return f"evidence {self.evidence!r} lies outside the project"
        if not target.exists():
            return f"evidence {self.evidence!r} does not exist"
        return None
