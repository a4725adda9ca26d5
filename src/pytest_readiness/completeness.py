"""Whether a gated run decided everything it was asked to: the completeness rule of the verdict.

A verdict is worth only what was looked at. The central process keeps a `RunJournal` of what
happened to the session (collection errors, an interruption, an early stop); at the end
`assess` compares the selected checks with the records that arrived. Every gap is a reason, and
a run with a reason is never ready. `exit_status` gives each way of ending early the status a
plain pytest run gives it, so that `-n` never changes the status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pytest

SHOWN_MODULES = 5
XDIST_WORKER_INTERRUPTED = "received keyboard-interrupt"


@dataclass(frozen=True)
class NotRun:
    """A selected check that produced no record, and why."""

    id: str
    nodeid: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "nodeid": self.nodeid, "reason": self.reason}


@dataclass
class RunJournal:
    """What the central process saw happen to the session, beyond the items' own reports."""

    collection_errors: list[str] = field(default_factory=list)
    collected: set[str] = field(default_factory=set)
    collection_finished: bool = False
    loop_finished: bool = False
    interruption: str | None = None
    """SIGINT or `pytest.exit()`: the run was stopped from outside the gate's knowledge."""
    interruption_status: int = pytest.ExitCode.INTERRUPTED
    stop: str | None = None
    """The message of pytest's or xdist's own early stop (collection errors, --maxfail)."""
    internal_error: str | None = None
    usage_error: str | None = None
    """A usage error that pytest itself does not see: one raised on a pytest-xdist worker."""

    def interrupted(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """Tell a user's interruption from the stops that pytest and xdist raise themselves."""
        value = excinfo.value
        if isinstance(value, pytest.exit.Exception):
            self.interruption = f"stopped by pytest.exit(): {value.msg}"
            self.interruption_status = value.returncode or pytest.ExitCode.INTERRUPTED
        elif type(value) is KeyboardInterrupt:
            self.interruption = "interrupted by SIGINT (KeyboardInterrupt)"
        elif str(value).endswith(XDIST_WORKER_INTERRUPTED):
            self.interruption = (
                f"interrupted on a pytest-xdist worker (SIGINT or pytest.exit()): {value}"
            )
        else:
            self.stop = str(value)

    def crashed(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """Keep the last line of the error; xdist relays a worker's as `INTERNALERROR>` lines."""
        text = excinfo.exconly().splitlines()
        lines = [line.removeprefix("INTERNALERROR>").strip() for line in text]
        self.internal_error = next((line for line in reversed(lines) if line), excinfo.typename)


@dataclass(frozen=True)
class Completeness:
    """What did not happen in a run: session-level reasons and the checks left without a record."""

    reasons: list[str] = field(default_factory=list)
    not_run: list[NotRun] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.reasons and not self.not_run

    def verdict_reasons(self) -> list[str]:
        """The reasons, then the checks that did not run grouped by why."""
        by_reason: dict[str, list[str]] = {}
        for missing in self.not_run:
            by_reason.setdefault(missing.reason, []).append(missing.nodeid.split("::", 1)[-1])
        return self.reasons + [
            f"not run: {', '.join(names)} ({reason})" for reason, names in by_reason.items()
        ]


def assess(
    journal: RunJournal,
    expected: Iterable[tuple[str, str]],
    recorded: set[str],
    *,
    stopped_after_failures: str | None,
    exit_status: int,
    deselected_by: Callable[[str], str],
) -> Completeness:
    """Compare what was selected (`(id, nodeid)` pairs) with what produced a record."""
    reasons = []
    if journal.internal_error is not None:
        reasons.append(f"internal error: {journal.internal_error}")
    if journal.interruption is not None:
        reasons.append(journal.interruption)
    if journal.usage_error is not None:
        reasons.append(journal.usage_error)
    if journal.collection_errors:
        reasons.append(_collection_errors(journal.collection_errors))
    if stopped_after_failures:
        reasons.append(f"stopped early: {stopped_after_failures} (-x / --maxfail)")
    if not reasons and journal.stop:
        reasons.append(f"stopped early: {journal.stop}")
    if not reasons and not journal.loop_finished:
        reasons.append(f"the session did not run to its end ({_status_name(exit_status)})")
    not_run = [
        NotRun(check_id, nodeid, _why_not_run(journal, nodeid, deselected_by))
        for check_id, nodeid in expected
        if nodeid not in recorded
    ]
    return Completeness(reasons, not_run)


def _collection_errors(nodeids: Sequence[str]) -> str:
    names = ", ".join(sorted(nodeid or "." for nodeid in nodeids)[:SHOWN_MODULES])
    more = f" and {len(nodeids) - SHOWN_MODULES} more" if len(nodeids) > SHOWN_MODULES else ""
    plural = "module" if len(nodeids) == 1 else "modules"
    return f"{len(nodeids)} {plural} failed to collect: {names}{more}"


def _why_not_run(journal: RunJournal, nodeid: str, deselected_by: Callable[[str], str]) -> str:
    if not journal.collection_finished:
        return "collection did not finish"
    if nodeid not in journal.collected:
        return deselected_by(nodeid)
    if not journal.loop_finished:
        return "the session stopped before it ran"
    return "it produced no result"


def _status_name(status: int) -> str:
    try:
        name = pytest.ExitCode(status).name.lower().replace("_", " ")
    except ValueError:
        return f"exit status {status}"
    return f"{name}, exit status {status}"


def deselection_cause(nodeid: str, option: object) -> str:
    """Which of pytest's selection options left `nodeid` out, as far as the options tell."""
    prefixes = getattr(option, "deselect", None) or []
    if any(nodeid.startswith(prefix) for prefix in prefixes):
        return "deselected by --deselect"
    given = [
        flag
        for flag, name in (("-k", "keyword"), ("-m", "markexpr"))
        if getattr(option, name, None)
    ]
    return f"deselected by {' or '.join(given)}" if given else "deselected"


def exit_status(
    status: int,
    journal: RunJournal,
    completeness: Completeness,
    *,
    continue_on_collection_errors: bool,
    stopped_after_failures: bool,
    verdict_fails: bool,
) -> int:
    """The run's status: the one a plain run gives for the same ending, never 0 when incomplete.

    pytest-xdist goes on after collection errors (1 where pytest says 2) and turns --maxfail
    into an interruption (2 where pytest says 1); both are brought back to pytest's status.
    """
    if journal.internal_error is not None:
        return pytest.ExitCode.INTERNAL_ERROR
    if status == pytest.ExitCode.USAGE_ERROR or journal.usage_error is not None:
        return pytest.ExitCode.USAGE_ERROR
    if journal.interruption is not None:
        return journal.interruption_status
    if journal.collection_errors and not continue_on_collection_errors:
        return pytest.ExitCode.INTERRUPTED
    if stopped_after_failures:
        return pytest.ExitCode.TESTS_FAILED
    if status == pytest.ExitCode.OK and (verdict_fails or not completeness.complete):
        return pytest.ExitCode.TESTS_FAILED
    return status
