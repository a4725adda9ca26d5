"""The coverage maths: counts, their percentage, and the one rule that rounds, shows and decides.

pytest-cov 7.1 prints "FAIL Required test coverage of 88% not reached" for 87.5% and still exits 0,
because its banner compares the raw float while its exit status compares a rounded one. Here a
figure is computed exactly as coverage.py computes it, rounded once as `coverage report` shows it
(`display_covered`: never "0" or "100" unless it truly is), to the configured precision widened to
the threshold's own decimals (as coverage.py's `fail_under` does). That one `Decimal` is what the
terminal shows, the report and the baseline store, and the thresholds are compared with.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from coverage.results import display_covered


@dataclass(frozen=True)
class Counts:
    """What coverage.py counted for a file or a total; branches are zero when not measured."""

    statements: int = 0
    covered_statements: int = 0
    branches: int = 0
    covered_branches: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.statements + other.statements,
            self.covered_statements + other.covered_statements,
            self.branches + other.branches,
            self.covered_branches + other.covered_branches,
        )

    @property
    def missed(self) -> int:
        """Statements plus branches not run: what `coverage report` calls Miss and BrPart."""
        return self.statements - self.covered_statements + self.branches - self.covered_branches

    @property
    def percent(self) -> float:
        """The raw float, with coverage.py's own formula so the rounding sees the same number."""
        denominator = self.statements + self.branches
        if denominator <= 0:
            return 100.0
        return (100.0 * (self.covered_statements + self.covered_branches)) / denominator

    def lines_only(self) -> Counts:
        return Counts(self.statements, self.covered_statements)


def decimals(threshold: float | None) -> int:
    """How many decimals a threshold is written with: 87.25 needs 2, 90 and 90.0 need 0."""
    if threshold is None or threshold == int(threshold):
        return 0
    return max(0, -int(Decimal(str(threshold)).as_tuple().exponent))


def shown(counts: Counts, precision: int, threshold: float | None = None) -> Decimal:
    """The figure as shown and decided: rounded to `precision`, or the threshold's decimals."""
    digits = max(precision, decimals(threshold))
    return Decimal(display_covered(counts.percent, digits))


def below(figure: Decimal, threshold: float) -> bool:
    """Whether a shown figure misses a threshold; a figure equal to the threshold passes."""
    return figure < Decimal(str(threshold))


def dropped(figure: Decimal, baseline: Decimal, tolerance: float) -> bool:
    """Whether the figure fell below the accepted baseline by more than the tolerance."""
    return baseline - figure > Decimal(str(tolerance))
