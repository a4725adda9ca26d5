"""`LoadCheck`: one item per `[[tool.readiness.load]]` entry, the service under steady traffic.

For each entry: start the service through the runner (or take the `url` of one that is up),
run the scenario on the chosen engine with the service's memory sampled around the measured
window, then hold the figures to the entry's budgets. A generator that could not keep its own
schedule makes the item an error: its figures say nothing about the service.
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Iterator

from pytest_readiness.check import CheckContext, CheckError
from pytest_readiness.checks.entries import EntryCheck, startup_failure
from pytest_readiness.checks.load.settings import LoadEntry
from pytest_readiness.model import Category, CheckResult, Severity
from pytest_readiness.runner import Placeholders, Service, StartupError, free_port
from pytest_readiness.traffic.figures import LoadResult
from pytest_readiness.traffic.generator import MemorySample
from pytest_readiness.traffic.locust_engine import LocustOptions
from pytest_readiness.traffic.memory import group_rss_mb
from pytest_readiness.traffic.run import EngineMissing, run_load
from pytest_readiness.traffic.thresholds import Unmeasurable, breaches

FIXES = {
    "error-rate": "read the service's log for the failing requests; errors under load are often "
    "pool exhaustion, timeouts to a dependency, or unhandled concurrency",
    "rate-below-target": "the service could not take the rate with max_in_flight outstanding: "
    "profile the slow path or add capacity",
    "rss-growth": "take heap snapshots before and after a run (tracemalloc) and look for what "
    "every request keeps",
    "service-exited": "run the command by hand under the same traffic and read its output",
}
LATENCY_FIX = "profile the requests in the slow tail; look for locks, N+1 queries and GC pauses"


class LoadCheck(EntryCheck[LoadEntry]):
    id = "load"
    category = Category.RELIABILITY
    severity = Severity.HIGH
    description = "The service holds its latency, error and memory budgets under steady load"
    Settings = list[LoadEntry]

    def run_entry(self, ctx: CheckContext, entry: LoadEntry) -> CheckResult:
        placeholders = Placeholders(port=free_port(), dependency_port=free_port())
        url = placeholders.fill(entry.service_url)
        with contextlib.ExitStack() as running:
            sample: MemorySample | None = None
            service = None
            if entry.command:
                service = running.enter_context(_started(entry, ctx, placeholders))
                pgid = service.pid
                sample = None if pgid is None else (lambda: group_rss_mb(pgid))
            result = _run(entry, url, sample)
            exited = None if service is None else service.exit_code()
            tail = "" if service is None or exited is None else service.output_tail()
        if result.generator_problems:
            raise CheckError(
                "the load generator could not keep its schedule, so these figures say nothing "
                f"about the service: {'; '.join(result.generator_problems)}\n{result.report()}"
            )
        return self._judge(entry, result, placeholders, exited, tail)

    def _judge(
        self,
        entry: LoadEntry,
        result: LoadResult,
        placeholders: Placeholders,
        exited: int | None,
        tail: str,
    ) -> CheckResult:
        findings = []
        if exited is not None:
            message = f"{entry.name}: the service exited with status {exited} during the run"
            findings.append(
                self.finding(
                    "service-exited",
                    f"{message}; last output:\n{placeholders.unfill(tail)}" if tail else message,
                    fix=FIXES["service-exited"],
                    key=f"{entry.name}:exited",
                )
            )
        try:
            found = breaches(result, entry.thresholds())
        except Unmeasurable as error:
            if not findings:  # a service that died says more than the figures it left
                raise CheckError(f"{error}\n{result.report()}") from None
            found = []
        findings += [
            self.finding(
                breach.rule,
                f"{entry.name}: {breach.message}",
                fix=FIXES.get(breach.rule, LATENCY_FIX),
                key=f"{entry.name}:{breach.figure}",
            )
            for breach in found
        ]
        summary = f"{result.achieved_rps:.1f} req/s, {result.distribution()}"
        summary += f", errors {result.error_rate:.2%}, dropped {result.dropped}"
        if findings:
            summary += f"; {len(findings)} finding(s)"
        return CheckResult(
            findings=findings,
            metrics=result.metrics(),
            summary=summary,
            histograms=result.histograms(),
        )


@contextlib.contextmanager
def _started(entry: LoadEntry, ctx: CheckContext, placeholders: Placeholders) -> Iterator[Service]:
    """The service, listening; a service that does not start is the check's error."""
    env = {name: placeholders.fill(value) for name, value in entry.env.items()}
    service = Service(placeholders.argv(entry.command), cwd=ctx.rootdir / entry.cwd, env=env)
    try:
        service.start()
        service.wait_until_accepting(placeholders.port, entry.startup_timeout_s)
    except StartupError as error:
        service.stop()
        raise startup_failure(f"the service `{shlex.join(service.argv)}`", error) from None
    try:
        yield service
    finally:
        service.stop()


def _run(entry: LoadEntry, url: str, sample: MemorySample | None) -> LoadResult:
    options = LocustOptions(
        processes=entry.locust_processes, expect_workers=entry.locust_expect_workers
    )
    try:
        return run_load(
            entry.scenario(),
            url,
            engine=entry.engine,
            locust=options,
            sample=sample,
            lag_budget_ms=entry.generator_lag_budget_ms,
        )
    except EngineMissing as error:
        raise CheckError(str(error)) from None
    except StartupError as error:
        raise startup_failure("the locust engine failed:", error) from None
