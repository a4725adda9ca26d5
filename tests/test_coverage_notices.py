"""coverage.py's warnings: caught away from the project's filters, parsed, judged."""

from __future__ import annotations

import warnings

import pytest
from coverage.exceptions import CoverageWarning
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.coverage.notices import Notice, RunNotices, caught, judge

NEVER = "Module absent was never imported. (module-not-imported); see https://x/#w"
NOT_MEASURED = "Module pkg was previously imported, but not measured (module-not-measured); see u"


def as_coverage_writes(message: str, slug: str) -> str:
    """The text coverage.py's `Coverage._warn` gives to `warnings.warn`."""
    return f"{message} ({slug}); see https://coverage.readthedocs.io/messages.html#warning-{slug}"


@given(
    st.text(st.characters(blacklist_categories=["Cs"]), min_size=1).map(str.strip).filter(bool),
    st.from_regex(r"[a-z]+(-[a-z]+)*", fullmatch=True),
)
def test_parse_gives_back_coverages_message_and_slug(message: str, slug: str) -> None:
    assert Notice.parse(as_coverage_writes(message, slug)) == Notice(message, slug)


def test_a_warning_without_a_slug_is_kept_whole() -> None:
    assert Notice.parse("Trace function changed") == Notice("Trace function changed")


def test_caught_keeps_coverage_warnings_from_an_error_filter() -> None:
    notices: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with caught(notices):
            warnings.warn(NEVER, CoverageWarning, stacklevel=1)
    assert notices == [NEVER]


def test_caught_passes_other_warnings_on() -> None:
    with pytest.warns(DeprecationWarning, match="old"), caught([]):
        warnings.warn("old", DeprecationWarning, stacklevel=1)


def test_a_package_is_unused_only_when_every_process_says_so() -> None:
    one_worker_imported_it = RunNotices([[NEVER], []])
    assert judge(one_worker_imported_it, [], []).unused_sources == []
    nobody = judge(RunNotices([[NEVER], [NEVER]]), [], [])
    assert [notice.package for notice in nobody.unused_sources] == ["absent"]
    assert nobody.problems == []


def test_a_package_a_subprocess_measured_is_not_unused() -> None:
    measured = ["/elsewhere/absent/mod.py"]
    assert judge(RunNotices([[NEVER]]), [], measured).unused_sources == []


def test_imported_but_not_measured_anywhere_is_a_problem() -> None:
    judgement = judge(RunNotices([[NOT_MEASURED], [NEVER.replace("absent", "pkg")]]), [], [])
    assert [str(notice) for notice in judgement.problems] == [
        "Module pkg was previously imported, but not measured (module-not-measured)"
    ]
    assert judgement.unused_sources == []


def test_harmless_warnings_are_not_problems_and_others_are() -> None:
    harmless = "Already imported a file that will be measured: a.py (already-imported); see u"
    parse_failure = "Couldn't parse Python file 'b.py' (couldnt-parse); see u"
    judgement = judge(RunNotices([[harmless]]), [parse_failure], [])
    assert [notice.slug for notice in judgement.problems] == ["couldnt-parse"]
