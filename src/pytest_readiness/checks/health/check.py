"""`HealthCheck`: one item per `[[tool.readiness.health]]` entry, from service start to verdict.

For each entry: start the dependency stand-in and the service when commands are given, wait
for the first ready answer (time to ready is held to the startup budget), probe the URL the
configured number of times, judge status, body, exposure and latency, then fault the dependency.
Every process started is stopped before `run` returns, whatever happens.
"""

from __future__ import annotations

import contextlib
import shlex
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from pytest_readiness.check import CheckContext, CheckError
from pytest_readiness.checks.entries import EntryCheck, startup_failure
from pytest_readiness.checks.health.dependency import DependencyProbes, exercise
from pytest_readiness.checks.health.dependency_faults import (
    DependencyFault,
    StandInStopped,
    proxy_fault,
)
from pytest_readiness.checks.health.expectations import latency_problems, series_problems
from pytest_readiness.checks.health.probe import Prober, Timeouts
from pytest_readiness.checks.health.problem import Problem
from pytest_readiness.checks.health.settings import HealthEntry
from pytest_readiness.checks.secrets.scanner import withhold_secrets
from pytest_readiness.model import Category, CheckResult, Finding, Severity
from pytest_readiness.resilience.proxy import FaultProxy
from pytest_readiness.runner import (
    Placeholders,
    PortConflict,
    Service,
    StartupError,
    free_port,
)


class HealthCheck(EntryCheck[HealthEntry]):
    id = "health"
    category = Category.OPERATIONS
    severity = Severity.HIGH
    description = "Health endpoints answer as Kubernetes probes expect, within latency budgets"
    Settings = list[HealthEntry]

    def run_entry(self, ctx: CheckContext, entry: HealthEntry) -> CheckResult:
        result = CheckResult()
        problems: list[Problem] = []
        cwd = ctx.rootdir / entry.cwd
        with contextlib.ExitStack() as running:
            prober = running.enter_context(
                Prober(Timeouts(connect_s=entry.connect_timeout_s, read_s=entry.timeout_s))
            )
            stand_in_port = free_port()
            proxy = None
            if entry.proxied:
                proxy = running.enter_context(FaultProxy(("127.0.0.1", stand_in_port)))
            placeholders = Placeholders(
                port=free_port(),
                dependency_port=stand_in_port if proxy is None else proxy.port,
            )
            url = placeholders.fill(entry.url)
            env = {name: placeholders.fill(value) for name, value in entry.env.items()}
            dependency = None
            if entry.dependency_command:
                dependency = _stand_in(
                    entry, replace(placeholders, dependency_port=stand_in_port), cwd
                )
                running.callback(dependency.stop)
                _start_dependency(dependency, stand_in_port, entry)
            service = None
            if entry.command:
                service = _service(entry, placeholders, url, cwd, env)
                try:
                    running.enter_context(service)
                    startup_ms = service.wait_until_ready(
                        lambda: prober.probe(url), entry.ready, entry.startup_timeout_s
                    )
                except PortConflict as error:
                    raise _conflict(entry, error) from None
                except StartupError as error:
                    problems.append(_startup_problem(entry, error))
                    return self._result(result, problems, placeholders, "service did not start")
                result.metrics["startup_ms"] = round(startup_ms, 1)
                problems += _startup_budget_problems(entry, startup_ms)
            series = prober.series(url, entry.probes)
            _ensure_owned(service, entry, "while it was probed")
            problems += series_problems(series, entry)
            problems += latency_problems(series, entry)
            result.metrics.update(series.latency_ms.metrics())
            if dependency is not None:
                probes = DependencyProbes(
                    readiness_url=url,
                    liveness_url=placeholders.fill(entry.liveness_url),
                    down_status=tuple(entry.dependency_down_status),
                    reaction_timeout_s=entry.dependency_timeout_s,
                )
                faults = _faults(entry, dependency, stand_in_port, proxy)
                problems += _exercise(probes, faults, prober, entry)
                _ensure_owned(service, entry, "while its dependency was faulted")
        summary = f"{entry.probes} probe(s) of {url}: {series.latency_ms.describe()}"
        if "startup_ms" in result.metrics:
            summary += f"; ready {result.metrics['startup_ms']:.0f} ms after start"
        return self._result(result, problems, placeholders, summary)

    def _result(
        self,
        result: CheckResult,
        problems: list[Problem],
        placeholders: Placeholders,
        summary: str,
    ) -> CheckResult:
        result.findings = [self._finding(problem, placeholders) for problem in problems]
        count = len(result.findings)
        result.summary = f"{summary}; {count} finding(s)" if count else summary
        return result

    def _finding(self, problem: Problem, placeholders: Placeholders) -> Finding:
        key = problem.message if problem.key is None else problem.key
        return self.finding(
            problem.rule,
            withhold_secrets(problem.message),
            severity=problem.severity,
            fix=problem.fix,
            key=placeholders.unfill(key),
        )


def _service(
    entry: HealthEntry, placeholders: Placeholders, url: str, cwd: Path, env: dict[str, str]
) -> Service:
    """The service bound to the URL's port, so that another process answering there is caught."""
    address = urlsplit(url)
    port = address.port or (443 if address.scheme == "https" else 80)
    return Service(
        placeholders.argv(entry.command),
        cwd=cwd,
        env=env,
        port=port,
        host=address.hostname or "127.0.0.1",
    )


def _stand_in(entry: HealthEntry, placeholders: Placeholders, cwd: Path) -> Service:
    """The dependency's stand-in, on its own port even when the service reaches it by proxy."""
    return Service(
        placeholders.argv(entry.dependency_command),
        cwd=cwd,
        env={name: placeholders.fill(value) for name, value in entry.env.items()},
        port=placeholders.dependency_port,
    )


def _exercise(
    probes: DependencyProbes, faults: list[DependencyFault], prober: Prober, entry: HealthEntry
) -> list[Problem]:
    """A stand-in that does not come back is the check's error, not a finding about the service."""
    try:
        return exercise(probes, faults, prober, entry.ready)
    except StartupError as error:
        raise CheckError(f"the dependency stand-in did not restart: {error}") from None


def _faults(
    entry: HealthEntry, stand_in: Service, port: int, proxy: FaultProxy | None
) -> list[DependencyFault]:
    """The configured faults in order; the proxy exists whenever one of them needs it."""
    faults: list[DependencyFault] = []
    for name in entry.dependency_faults:
        if name == "down":
            faults.append(StandInStopped(stand_in, port, entry.startup_timeout_s))
        else:
            assert proxy is not None, "HealthEntry.proxied starts a proxy for these faults"
            faults.append(proxy_fault(proxy, name, entry.dependency_slow_s))
    return faults


def _conflict(entry: HealthEntry, error: PortConflict) -> CheckError:
    """Answers on a port another process holds prove nothing about the service: an error."""
    return CheckError(
        f"`{entry.command}` cannot be checked: {error.reason}; "
        "stop that process or let the check pick a free port with {port} in the url"
    )


def _ensure_owned(service: Service | None, entry: HealthEntry, when: str) -> None:
    """The answers counted only if they came from the started service, still alive."""
    if service is None:
        return
    try:
        service.ensure_running(when)
    except PortConflict as error:
        raise _conflict(entry, error) from None
    except StartupError as error:
        raise startup_failure(
            f"`{entry.command}`", error, ", so its answers cannot be trusted"
        ) from None


def _startup_problem(entry: HealthEntry, error: StartupError) -> Problem:
    rule = "startup-failed" if error.exited else "startup-timeout"
    message = f"`{entry.command}` {error.reason}"
    if error.output_tail:
        message += f"; last output:\n{error.output_tail}"
    return Problem(
        rule,
        message,
        fix="run the command by hand with the same port and environment and read its output",
        key=entry.name,
    )


def _startup_budget_problems(entry: HealthEntry, startup_ms: float) -> list[Problem]:
    if entry.startup_budget_ms is None or startup_ms <= entry.startup_budget_ms:
        return []
    return [
        Problem(
            "startup-over-budget",
            f"`{entry.command}` took {startup_ms:.0f} ms to be ready; "
            f"the startup budget is {entry.startup_budget_ms:g} ms",
            fix="defer slow initialisation past the first ready answer or raise the budget",
            key=entry.name,
        )
    ]


def _start_dependency(dependency: Service, port: int, entry: HealthEntry) -> None:
    """Failing to start the stand-in is the check's error, not a finding about the service."""
    try:
        dependency.start()
        dependency.wait_until_accepting(port, entry.startup_timeout_s)
    except StartupError as error:
        raise startup_failure(
            f"the dependency stand-in `{shlex.join(dependency.argv)}`", error
        ) from None
