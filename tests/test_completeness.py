"""The completeness rule on its own: what makes a run incomplete, and the status it ends with."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.completeness import (
    Completeness,
    NotRun,
    RunJournal,
    assess,
    deselection_cause,
    exit_status,
)
from pytest_readiness.model import TestRun
from pytest_readiness.verdict import Verdict, decide

EXPECTED = [("secrets", "readiness::secrets"), ("tests-pass", "readiness::tests-pass")]


def _finished(**changes: object) -> RunJournal:
    journal = RunJournal(collection_finished=True, loop_finished=True)
    journal.collected = {nodeid for _, nodeid in EXPECTED}
    for name, value in changes.items():
        setattr(journal, name, value)
    return journal


def _assess(journal: RunJournal, recorded: set[str], **options: object) -> Completeness:
    return assess(
        journal,
        EXPECTED,
        recorded,
        stopped_after_failures=options.get("stopped_after_failures"),  # type: ignore[arg-type]
        exit_status=int(options.get("exit_status", 0)),  # type: ignore[call-overload]
        deselected_by=lambda nodeid: "deselected by -k",
    )


def test_a_run_that_recorded_every_check_is_complete() -> None:
    completeness = _assess(_finished(), {nodeid for _, nodeid in EXPECTED})
    assert completeness.complete
    assert completeness.verdict_reasons() == []


@pytest.mark.parametrize(
    ("journal", "recorded", "reason"),
    [
        (_finished(collected={"readiness::tests-pass"}), {"readiness::tests-pass"},
         "not run: secrets (deselected by -k)"),
        (_finished(loop_finished=False), set(),
         "not run: secrets, tests-pass (the session stopped before it ran)"),
        (_finished(collection_finished=False, loop_finished=False), set(),
         "not run: secrets, tests-pass (collection did not finish)"),
        (_finished(), {"readiness::secrets"}, "not run: tests-pass (it produced no result)"),
    ],
)  # fmt: skip
def test_a_check_without_a_record_is_named_with_why(
    journal: RunJournal, recorded: set[str], reason: str
) -> None:
    completeness = _assess(journal, recorded)
    assert not completeness.complete
    assert reason in completeness.verdict_reasons()


@pytest.mark.parametrize(
    ("journal", "reason"),
    [
        (_finished(interruption="interrupted by SIGINT (KeyboardInterrupt)"),
         "interrupted by SIGINT (KeyboardInterrupt)"),
        (_finished(collection_errors=["tests/test_a.py", "tests/test_b.py"]),
         "2 modules failed to collect: tests/test_a.py, tests/test_b.py"),
        (_finished(internal_error="RuntimeError: boom"), "internal error: RuntimeError: boom"),
        (_finished(stop="a plugin asked to stop"), "stopped early: a plugin asked to stop"),
        (_finished(loop_finished=False), "the session did not run to its end (usage error, "
         "exit status 4)"),
    ],
)  # fmt: skip
def test_what_did_not_happen_is_a_reason_even_with_every_record(
    journal: RunJournal, reason: str
) -> None:
    every = {nodeid for _, nodeid in EXPECTED}
    completeness = _assess(journal, every, exit_status=4)
    assert reason in completeness.reasons


def test_many_collection_errors_are_summed_up() -> None:
    journal = _finished(collection_errors=[f"test_{index}.py" for index in range(8)])
    (reason,) = _assess(journal, {nodeid for _, nodeid in EXPECTED}).reasons
    assert reason.startswith("8 modules failed to collect: test_0.py, test_1.py")
    assert reason.endswith(" and 3 more")


def test_an_incomplete_run_is_not_ready_whatever_the_records_say() -> None:
    decision = decide([], TestRun(passed=5), [], ["interrupted by SIGINT (KeyboardInterrupt)"])
    assert decision.verdict is Verdict.NOT_READY
    assert decision.reasons == ["interrupted by SIGINT (KeyboardInterrupt)"]


@pytest.mark.parametrize(
    ("nodeid", "option", "cause"),
    [
        ("readiness::secrets", {"deselect": ["readiness::secrets"], "keyword": "x"},
         "deselected by --deselect"),
        ("readiness::secrets", {"keyword": "test_a"}, "deselected by -k"),
        ("readiness::secrets", {"markexpr": "slow"}, "deselected by -m"),
        ("readiness::secrets", {"keyword": "a", "markexpr": "slow"}, "deselected by -k or -m"),
        ("readiness::secrets", {"deselect": ["readiness::bandit"]}, "deselected"),
    ],
)  # fmt: skip
def test_deselection_cause_names_the_option(
    nodeid: str, option: dict[str, object], cause: str
) -> None:
    assert deselection_cause(nodeid, SimpleNamespace(**option)) == cause


def _status(status: int, journal: RunJournal, completeness: Completeness, **flags: bool) -> int:
    return exit_status(
        status,
        journal,
        completeness,
        continue_on_collection_errors=flags.get("continue_on_collection_errors", False),
        stopped_after_failures=flags.get("stopped_after_failures", False),
        verdict_fails=flags.get("verdict_fails", False),
    )


INCOMPLETE = Completeness(not_run=[NotRun("secrets", "readiness::secrets", "deselected by -k")])


@pytest.mark.parametrize(
    ("status", "journal", "flags", "expected"),
    [
        # xdist goes on after a collection error (1): a plain run is interrupted (2).
        (1, _finished(collection_errors=["t.py"]), {}, 2),
        (1, _finished(collection_errors=["t.py"]), {"continue_on_collection_errors": True}, 1),
        # xdist turns --maxfail into an interruption (2): a plain run says tests failed (1).
        (2, _finished(stop="stopping after 1 failures"), {"stopped_after_failures": True}, 1),
        (1, _finished(internal_error="RuntimeError: boom"), {}, 3),
        (5, _finished(usage_error="worker gw0 stopped with a usage error"), {}, 4),
        (0, _finished(interruption="stopped by pytest.exit(): done", interruption_status=2), {}, 2),
        (0, _finished(), {}, 1),
        (5, _finished(), {}, 5),
    ],
)  # fmt: skip
def test_each_way_of_ending_early_has_the_status_of_a_plain_run(
    status: int, journal: RunJournal, flags: dict[str, bool], expected: int
) -> None:
    assert _status(status, journal, INCOMPLETE, **flags) == expected


def test_a_complete_run_keeps_pytests_status_unless_the_verdict_fails() -> None:
    assert _status(0, _finished(), Completeness()) == 0
    assert _status(0, _finished(), Completeness(), verdict_fails=True) == 1
    assert _status(1, _finished(), Completeness()) == 1


def test_pytest_exit_with_status_zero_still_fails_the_run() -> None:
    journal = RunJournal()
    try:
        pytest.exit("done", returncode=0)
    except pytest.exit.Exception:
        journal.interrupted(pytest.ExceptionInfo.from_current())
    assert journal.interruption == "stopped by pytest.exit(): done"
    assert _status(0, journal, Completeness(reasons=[journal.interruption])) == 2


@pytest.mark.parametrize(
    ("error", "interruption", "stop"),
    [
        (KeyboardInterrupt(), "interrupted by SIGINT (KeyboardInterrupt)", None),
        (pytest.Session.Interrupted("1 error during collection"), None,
         "1 error during collection"),
    ],
)  # fmt: skip
def test_a_signal_is_told_from_pytests_own_stops(
    error: BaseException, interruption: str | None, stop: str | None
) -> None:
    journal = RunJournal()
    try:
        raise error
    except KeyboardInterrupt:
        journal.interrupted(pytest.ExceptionInfo.from_current())
    assert (journal.interruption, journal.stop) == (interruption, stop)


def test_an_internal_error_relayed_by_xdist_keeps_its_last_line() -> None:
    journal = RunJournal()
    relayed = "INTERNALERROR> Traceback (most recent call last):\nINTERNALERROR> ValueError: bad"
    try:
        raise AssertionError(relayed)
    except AssertionError:
        journal.crashed(pytest.ExceptionInfo.from_current())
    assert journal.internal_error == "ValueError: bad"


statuses = st.sampled_from([int(code) for code in pytest.ExitCode])
journals = st.builds(
    RunJournal,
    collection_errors=st.lists(st.sampled_from(["a.py", "b.py"]), max_size=2),
    collection_finished=st.booleans(),
    loop_finished=st.booleans(),
    interruption=st.none() | st.just("interrupted by SIGINT (KeyboardInterrupt)"),
    interruption_status=st.sampled_from([2, 3]),
    stop=st.none() | st.just("stopping after 1 failures"),
    internal_error=st.none() | st.just("RuntimeError: boom"),
    usage_error=st.none() | st.just("worker stopped with a usage error"),
)


@given(journals, st.sets(st.sampled_from([nodeid for _, nodeid in EXPECTED])), statuses,
       st.booleans(), st.booleans(), st.booleans())  # fmt: skip
def test_an_incomplete_run_never_exits_zero(
    journal: RunJournal,
    recorded: set[str],
    status: int,
    continue_on_errors: bool,
    stopped: bool,
    verdict_fails: bool,
) -> None:
    completeness = _assess(journal, recorded, exit_status=status)
    final = exit_status(
        status,
        journal,
        completeness,
        continue_on_collection_errors=continue_on_errors,
        stopped_after_failures=stopped,
        verdict_fails=verdict_fails,
    )
    if not completeness.complete or stopped:
        assert final != 0
    assert decide([], TestRun(), [], completeness.verdict_reasons()).verdict is (
        Verdict.READY if completeness.complete else Verdict.NOT_READY
    )
