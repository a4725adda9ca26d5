"""The coverage ratchet: the accepted figures, kept in the project so reviews see them change.

The file is JSON with sorted keys, two-space indentation and a final newline, so an update shows
up in a review as a small, readable diff of exactly the figures that moved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pytest_readiness.storage import write_atomically

FORMAT_VERSION = 1


class BaselineError(ValueError):
    """The baseline file exists but cannot be used."""


@dataclass(frozen=True)
class Baseline:
    total: Decimal
    branch: bool
    precision: int
    files: dict[str, Decimal] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Baseline | None:
        """The baseline at `path`, or None when there is none yet."""
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            raise BaselineError(f"{path.name} cannot be read: {error}") from error
        return cls.loads(text, path.name)

    @classmethod
    def loads(cls, text: str, source: str = "baseline") -> Baseline:
        try:
            data = json.loads(text)
            return cls(
                total=_figure(data["total"]),
                branch=bool(data["branch"]),
                precision=int(data["precision"]),
                files={name: _figure(value) for name, value in data["files"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BaselineError(f"{source} is not a coverage baseline: {error!r}") from error

    def dumps(self) -> str:
        data = {
            "version": FORMAT_VERSION,
            "total": _number(self.total),
            "branch": self.branch,
            "precision": self.precision,
            "files": {name: _number(value) for name, value in self.files.items()},
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    def save(self, path: Path) -> None:
        """Write atomically, so an interrupted update never leaves half a baseline."""
        write_atomically(path, self.dumps())


def _figure(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    try:
        figure = Decimal(str(value))
        valid = 0 <= figure <= 100
    except InvalidOperation:
        valid = False
    if not valid:
        raise ValueError(f"not a percentage: {value!r}")
    return figure


def _number(figure: Decimal) -> int | float:
    """A whole figure as an int (88, not 88.0), any other as the float of its shown digits."""
    return int(figure) if figure == figure.to_integral_value() else float(figure)
