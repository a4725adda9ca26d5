"""Without a configured `source`, the check measures what `coverage run -m pytest` measures.

coverage.py then counts every file the run executed outside the standard library and the
installed packages (tests and conftest included), and no file that never ran: a module of the
project that no test imports is not in its figure. The sample has such a module, so a check that
measured "everything under the rootdir" would show a lower figure than the real tool.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.test_coverage_engine import (
    CONFTEST,
    TESTS,
    coverage_report_total,
    coverage_run_pytest,
)
from tests.test_coverage_report import CALC, UNUSED

pytestmark = pytest.mark.usefixtures("not_an_xdist_worker")


def make_unconfigured_sample(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        textwrap.dedent(
            """\
            [tool.coverage.report]
            precision = 2

            [tool.pytest.ini_options]
            pythonpath = ["."]
            """
        )
    )
    package = pytester.mkpydir("sample")
    (package / "calc.py").write_text(CALC, "utf-8")
    (package / "unused.py").write_text(UNUSED, "utf-8")  # imported by nothing
    pytester.makepyfile(**TESTS)
    pytester.makeconftest(CONFTEST)


def coverage_run_total(pytester: pytest.Pytester) -> str:
    """`coverage run -m pytest`, then `coverage report`: the figure the check must give."""
    coverage_run_pytest(pytester, "-p", "no:xdist")
    total = coverage_report_total(pytester, precision=None)
    for data in pytester.path.glob(".coverage*"):
        data.unlink()
    return total


@pytest.mark.parametrize("workers", ["0", "2"])
def test_no_source_gives_the_figure_of_coverage_run(
    pytester: pytest.Pytester, workers: str
) -> None:
    make_unconfigured_sample(pytester)
    expected = coverage_run_total(pytester)
    result = pytester.runpytest_subprocess(
        "-n", workers, "--readiness", "--readiness-select", "coverage",
        "--readiness-report", "r.json",
    )  # fmt: skip
    (check,) = json.loads((pytester.path / "r.json").read_text("utf-8"))["checks"]
    assert check["metrics"]["total_percent"] == float(expected), result.stdout.str()
    assert check["summary"].endswith(
        "; no source configured: measured as `coverage run -m pytest` measures"
    )
    assert "unused.py" not in json.dumps(check), "a file that never ran is not in the figure"
    # The old rule, every file under the rootdir, would have counted unused.py at 0%:
    assert float(expected) > 90
