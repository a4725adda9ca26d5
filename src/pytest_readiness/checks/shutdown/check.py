"""`ShutdownCheck`: one item per `[[tool.readiness.shutdown]]` entry, SIGTERM under load.

A rolling update, a scale-down or a node drain sends every instance SIGTERM while it serves.
An instance that dies at once resets the requests it accepted; one that keeps answering ready
keeps getting new ones; one that takes longer than the grace period is SIGKILLed mid-request.
The check starts the service through the runner, keeps requests in flight, sends SIGTERM and
judges what followed (`trial.run_trial`).
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from pytest_readiness.check import CheckContext
from pytest_readiness.checks.entries import EntryCheck, startup_failure
from pytest_readiness.checks.shutdown.grace import GracePeriod, grace_period
from pytest_readiness.checks.shutdown.settings import ShutdownEntry
from pytest_readiness.checks.shutdown.traffic import READINESS_TIMEOUT_S, Exchange, fetch
from pytest_readiness.checks.shutdown.trial import Outcome, Trial, run_trial
from pytest_readiness.model import Category, CheckResult, Finding, Severity
from pytest_readiness.runner import Placeholders, Service, StartupError, free_port


class ShutdownCheck(EntryCheck[ShutdownEntry]):
    id = "shutdown"
    category = Category.RELIABILITY
    severity = Severity.HIGH
    description = "SIGTERM while serving: in-flight requests finish, readiness drops, exit in time"
    Settings = list[ShutdownEntry]

    def run_entry(self, ctx: CheckContext, entry: ShutdownEntry) -> CheckResult:
        grace = grace_period(ctx, entry)
        placeholders = Placeholders(port=free_port(), dependency_port=free_port())
        url = placeholders.fill(entry.url)
        address = urlsplit(url)
        trial = Trial(
            url=url,
            port=address.port or 80,
            ready_url=placeholders.fill(entry.readiness_url),
            concurrency=entry.concurrency,
            in_flight=entry.in_flight,
            in_flight_wait_s=entry.in_flight_wait_s,
            max_wait_s=entry.max_wait_s,
        )
        service = Service(
            placeholders.argv(entry.command),
            cwd=ctx.rootdir / entry.cwd,
            env={name: placeholders.fill(value) for name, value in entry.env.items()},
            port=trial.port,
            host=address.hostname or "127.0.0.1",
        )
        try:
            with service:
                service.wait_until_ready(
                    lambda: fetch(trial.ready_url, READINESS_TIMEOUT_S),
                    _ready,
                    entry.startup_timeout_s,
                )
                outcome = run_trial(service, trial)
        except StartupError as error:
            raise startup_failure(f"`{entry.command}`", error) from None
        judge = _Judge(self, entry, grace, outcome)
        return CheckResult(
            findings=[*judge.findings()], summary=judge.summary(), metrics=judge.metrics()
        )


def _ready(exchange: Exchange) -> bool:
    return exchange.status is not None and 200 <= exchange.status < 300


class _Judge:
    """Findings, metrics and the summary of one trial."""

    def __init__(
        self, check: ShutdownCheck, entry: ShutdownEntry, grace: GracePeriod, outcome: Outcome
    ) -> None:
        self.check = check
        self.entry = entry
        self.grace = grace
        self.outcome = outcome

    def findings(self) -> list[Finding]:
        return [*self._dropped(), *self._still_ready(), *self._slow(), *self._ignored()]

    def _finding(self, rule: str, message: str, severity: Severity | None, fix: str) -> Finding:
        """`severity` None: the check's own (high unless configured)."""
        return self.check.finding(
            rule,
            f"`{self.entry.command}`: {message}",
            severity=severity,
            fix=fix,
            key=self.entry.name,
        )

    def _dropped(self) -> list[Finding]:
        dropped = self.outcome.dropped()
        if not dropped:
            return []
        owed = self.outcome.owed()
        failures = Counter(e.describe() for e in self.outcome.failed())
        how = ", ".join(f"{what} ({count})" for what, count in failures.items())
        return [
            self._finding(
                "dropped-in-flight",
                f"{dropped} of {owed} request(s) accepted before SIGTERM got no good answer: {how}",
                None,
                "on SIGTERM stop accepting, let the requests in flight finish, then exit "
                "(gunicorn and uvicorn do; a development server or a hand-written one "
                "needs a SIGTERM handler)",
            )
        ]

    def _still_ready(self) -> list[Finding]:
        late = self.outcome.ready_after(self.outcome.sigterm_at + self.entry.drain_s)
        if not late:
            return []
        last_s = max(poll.started_at for poll in late) - self.outcome.sigterm_at
        return [
            self._finding(
                "still-ready-after-sigterm",
                f"readiness {self.entry.readiness_url} still answered 2xx {last_s:.1f} s after "
                f"SIGTERM, and accepted {len(late)} new connection(s) after the "
                f"{self.entry.drain_s:g} s drain (drain_s)",
                Severity.MEDIUM,
                "on SIGTERM make readiness fail (503) and stop accepting once the drain is over",
            )
        ]

    def _slow(self) -> list[Finding]:
        grace = self.grace
        budget_s = grace.after_sigterm_s
        took = self.outcome.exited_after_s
        if took is not None and took <= budget_s:
            return []
        if took is None and self.entry.max_wait_s < budget_s:
            return []
        when = (
            f"exited {took:.1f} s after SIGTERM"
            if took is not None
            else f"was still running {self.entry.max_wait_s:g} s after SIGTERM"
        )
        budget = f"the grace period is {grace.seconds:g} s ({grace.source})"
        if grace.pre_stop_s:
            budget += f" and its {grace.pre_stop_s:g} s preStop sleep runs first"
        if budget_s != grace.seconds:
            floor = (
                " (the kubelet's minimum)" if grace.seconds - grace.pre_stop_s < budget_s else ""
            )
            budget += f", leaving {budget_s:g} s after SIGTERM{floor}"
        return [
            self._finding(
                "slow-shutdown",
                f"{when}; {budget}, after which Kubernetes sends SIGKILL mid-request",
                Severity.MEDIUM,
                "bound the drain below the time left after SIGTERM (request timeouts; gunicorn "
                "--graceful-timeout, uvicorn --timeout-graceful-shutdown), or raise "
                "terminationGracePeriodSeconds to the preStop sleep plus what the drain needs",
            )
        ]

    def _ignored(self) -> list[Finding]:
        if not self.outcome.killed:
            return []
        return [
            self._finding(
                "ignores-sigterm",
                f"did not exit within {self.entry.max_wait_s:g} s of SIGTERM (max_wait_s) and "
                f"had to be killed with SIGKILL",
                None,
                "handle SIGTERM (and run the server as PID 1: `exec` it from a shell wrapper, "
                "or use an init such as tini that forwards signals)",
            )
        ]

    def metrics(self) -> dict[str, float]:
        outcome = self.outcome
        figures = {
            "drain_ms": round(outcome.stopped_after_s * 1000, 1),
            "in_flight_at_sigterm": float(len(outcome.in_flight())),
            "queued_at_sigterm": float(outcome.queued_at_sigterm),
            "dropped": float(outcome.dropped()),
            "grace_s": self.grace.seconds,
            "pre_stop_s": self.grace.pre_stop_s,
        }
        if outcome.exit_code is not None:
            figures["exit_code"] = float(outcome.exit_code)
        return figures

    def summary(self) -> str:
        outcome = self.outcome
        owed = outcome.owed()
        ending = (
            f"exited {outcome.exited_after_s:.2f} s later with status {outcome.exit_code}"
            if outcome.exited_after_s is not None
            else f"killed after {outcome.stopped_after_s:.1f} s"
        )
        return (
            f"SIGTERM with {len(outcome.in_flight())} request(s) in flight "
            f"({outcome.queued_at_sigterm} not yet accepted): "
            f"{owed - outcome.dropped()} of {owed} answered; {ending} "
            f"({self.grace.describe()})"
        )
