"""The rounding rule: the figure shown is the figure decided, and it is coverage.py's figure."""

from __future__ import annotations

from decimal import Decimal

import coverage
import pytest
from coverage.results import Numbers, should_fail_under
from hypothesis import assume, given
from hypothesis import strategies as st

from pytest_readiness.checks.coverage.figures import Counts, below, decimals, dropped, shown


@st.composite
def counts(draw: st.DrawFn) -> Counts:
    statements = draw(st.integers(0, 200_000))
    # Branches leave statements, two exits each: measured data never has more than twice as
    # many branches as statements (coverage.py versions disagree on such impossible counts).
    branches = draw(st.integers(0, min(2000, 2 * statements)))
    return Counts(
        statements=statements,
        covered_statements=draw(st.integers(0, statements)),
        branches=branches,
        covered_branches=draw(st.integers(0, branches)),
    )


def numbers(counts: Counts, precision: int) -> Numbers:
    return Numbers(
        precision=precision,
        n_files=1,
        n_statements=counts.statements,
        n_missing=counts.statements - counts.covered_statements,
        n_branches=counts.branches,
        n_missing_branches=counts.branches - counts.covered_branches,
    )


@given(counts(), st.integers(0, 4))
def test_shown_figure_is_what_coverage_report_prints(measured: Counts, precision: int) -> None:
    assert shown(measured, precision) == Decimal(numbers(measured, precision).pc_covered_str)
    assert str(shown(measured, precision)) == numbers(measured, precision).pc_covered_str


@pytest.mark.skipif(
    coverage.version_info < (7, 17, 1),
    reason="coverage.py before 7.17.1 rounded fail_under differently; the check follows the fix",
)
@given(counts(), st.integers(0, 3), st.integers(0, 10000))
def test_decision_agrees_with_coverage_fail_under(
    measured: Counts, precision: int, hundredths: int
) -> None:
    threshold = hundredths / 100
    figure = shown(measured, precision, threshold)
    smallest_step = 10.0 ** -max(precision, decimals(threshold))
    assume(not 0 < measured.percent < smallest_step)
    # Near 100, coverage.py's special case for fail_under=100 and the display's "never 100
    # unless it is" agree; only a figure under one step above 0 is decided differently.
    assert below(figure, threshold) == should_fail_under(measured.percent, threshold, precision)


def test_a_figure_that_shows_as_one_step_is_decided_as_one_step() -> None:
    tiny = Counts(statements=100_000, covered_statements=4)  # 0.004%
    assert shown(tiny, 2) == Decimal("0.01")
    assert not below(shown(tiny, 2), 0.01)  # coverage.py alone would fail it against "0.01"
    assert should_fail_under(tiny.percent, 0.01, 2)


@given(counts(), st.integers(0, 3), st.integers(0, 10000))
def test_a_threshold_equal_to_the_shown_figure_passes_and_one_step_above_fails(
    measured: Counts, precision: int, hundredths: int
) -> None:
    figure = shown(measured, precision)
    step = Decimal(1).scaleb(-precision)
    assert not below(figure, float(figure))
    if figure + step <= 100:
        assert below(figure, float(figure + step))


def test_the_pytest_cov_pitfall_figure_is_shown_and_decided_alike() -> None:
    seven_of_eight = Counts(statements=8, covered_statements=7)
    assert seven_of_eight.percent == 87.5
    assert shown(seven_of_eight, 0) == Decimal(88)  # round half to even, as coverage prints it
    assert not below(shown(seven_of_eight, 0), 88)
    assert below(shown(seven_of_eight, 0, 88.5), 88.5)
    assert shown(seven_of_eight, 0, 87.6) == Decimal("87.5")  # the threshold's decimals widen
    assert below(shown(seven_of_eight, 0, 87.6), 87.6)


@pytest.mark.parametrize(
    ("covered", "statements", "precision", "figure"),
    [
        (1999, 2000, 0, "99"),  # 99.95 never shows as 100
        (1, 2000, 0, "1"),  # 0.05 never shows as 0
        (0, 10, 2, "0.00"),
        (10, 10, 1, "100.0"),
        (0, 0, 0, "100"),  # nothing to run is fully run, as coverage.py says
    ],
)
def test_edges_of_the_scale(covered: int, statements: int, precision: int, figure: str) -> None:
    assert str(shown(Counts(statements, covered), precision)) == figure


def test_branches_count_with_statements() -> None:
    measured = Counts(statements=6, covered_statements=4, branches=2, covered_branches=1)
    assert measured.percent == 62.5
    assert measured.missed == 3
    assert measured.lines_only().percent == pytest.approx(66.6666666)
    assert measured + Counts(2, 2) == Counts(8, 6, 2, 1)


@pytest.mark.parametrize(
    ("threshold", "places"), [(None, 0), (90, 0), (90.0, 0), (87.5, 1), (87.25, 2), (0.001, 3)]
)
def test_decimals_of_a_threshold(threshold: float | None, places: int) -> None:
    assert decimals(threshold) == places


def test_dropped_uses_exact_decimals_not_float_arithmetic() -> None:
    # 87.5 - 87.4 is 0.09999999999999432 in floats; in shown decimals it is exactly 0.1.
    assert not dropped(Decimal("87.4"), Decimal("87.5"), 0.1)
    assert dropped(Decimal("87.3"), Decimal("87.5"), 0.1)
    assert not dropped(Decimal("90"), Decimal("87.5"), 0.0)
