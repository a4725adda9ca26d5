"""`metrics`: Prometheus metrics that exist, parse, move with traffic, and stay bounded.

Present is not enough: a counter registered but never incremented, or a histogram fed by a
middleware that is not installed, looks fine on a dashboard until the incident. So the check
scrapes, sends its own requests, scrapes again and compares. It also sends requests to paths
nobody ever used: a label whose values grow with them (a raw path or id as label) would grow
without bound in production and take Prometheus down with it.
"""

from __future__ import annotations

import re
import shlex
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from pytest_readiness.check import CheckContext
from pytest_readiness.checks.entries import EntryCheck, startup_failure
from pytest_readiness.checks.metrics.scrape import Family, Fetched, NotParseable, fetch, parse
from pytest_readiness.checks.metrics.settings import MetricsEntry
from pytest_readiness.checks.secrets.scanner import scan_text
from pytest_readiness.model import Category, CheckResult, Finding, Severity
from pytest_readiness.runner import Placeholders, Service, StartupError, free_port

PROBE_PATH = "/readiness-probe-{index}"


class MetricsCheck(EntryCheck[MetricsEntry]):
    id = "metrics"
    category = Category.OPERATIONS
    severity = Severity.HIGH
    description = "Prometheus metrics are exposed, parse, carry RED signals and move with traffic"
    Settings = list[MetricsEntry]

    def run_entry(self, ctx: CheckContext, entry: MetricsEntry) -> CheckResult:
        with self._service(ctx, entry) as (url, traffic):
            first = fetch(url, entry.timeout_s)
            if first.status != 200:
                return self._result([self._no_endpoint(entry, first)], {}, url)
            try:
                before = parse(first.body)
            except NotParseable as error:
                return self._result([self._not_parseable(entry, str(error))], {}, url)
            sent = self._traffic(traffic, entry)
            second = fetch(url, entry.timeout_s)
            try:
                after = parse(second.body) if second.status == 200 else {}
            except NotParseable as error:
                return self._result([self._not_parseable(entry, str(error))], {}, url)
        findings = [*self._red(entry, before, after, sent), *self._bounded(entry, before, after)]
        findings.extend(self._secrets(entry, second))
        findings.extend(
            self.finding(
                "missing-required",
                f"required metric {name!r} is not exposed",
                fix=f"register and update {name}",
                key=name,
            )
            for name in entry.required
            if name not in after and name.removesuffix("_total") not in after
        )
        metrics = {
            "series": float(sum(family.series for family in after.values())),
            "families": float(len(after)),
            "scrape_ms": round(second.elapsed_ms, 3),
            "scrape_bytes": float(len(second.body)),
        }
        return self._result(findings, metrics, url)

    @staticmethod
    def _result(findings: list[Finding], metrics: dict[str, float], url: str) -> CheckResult:
        """`url` is the one scraped, placeholders filled; findings keep the configured one."""
        summary = (
            f"{int(metrics['families'])} families, {int(metrics['series'])} series at "
            f"{url} (scrape {metrics['scrape_ms']:.1f} ms)"
            if metrics
            else f"no usable metrics at {url}"
        )
        return CheckResult(findings=findings, metrics=metrics, summary=summary)

    @contextmanager
    def _service(self, ctx: CheckContext, entry: MetricsEntry) -> Iterator[tuple[str, str]]:
        if not entry.command:
            yield entry.url, entry.traffic_url or _root_of(entry.url)
            return
        placeholders = Placeholders(port=free_port(), dependency_port=0, python=sys.executable)
        url = placeholders.fill(entry.url)
        traffic = placeholders.fill(entry.traffic_url) if entry.traffic_url else _root_of(url)
        service = Service(
            placeholders.argv(entry.command),
            cwd=ctx.rootdir / entry.cwd,
            env={key: placeholders.fill(value) for key, value in entry.env.items()},
            port=placeholders.port if "{port}" in entry.url else None,
        )
        try:
            with service:
                service.wait_until_ready(
                    lambda: fetch(url, entry.timeout_s),
                    lambda fetched: fetched.answered,  # any answer: a 404 page is a finding
                    entry.startup_timeout_s,
                )
                yield url, traffic
        except StartupError as error:
            command = shlex.join(placeholders.argv(entry.command))
            raise startup_failure(f"`{command}`", error) from None

    def _traffic(self, traffic: str, entry: MetricsEntry) -> int:
        """Requests the service answers (any status): the counters must count them all."""
        answered = 0
        for _ in range(entry.requests):
            answered += fetch(traffic, entry.timeout_s).answered
        base = urlsplit(traffic)
        for index in range(entry.distinct_paths):
            probe = urlunsplit(base._replace(path=PROBE_PATH.format(index=index), query=""))
            answered += fetch(probe, entry.timeout_s).answered
        time.sleep(0.05)  # let a metrics middleware finish its bookkeeping
        return answered

    def _red(
        self, entry: MetricsEntry, before: dict[str, Family], after: dict[str, Family], sent: int
    ) -> Iterator[Finding]:
        counter_pattern = re.compile(entry.request_counter)
        counters = [
            f for f in after.values() if f.type == "counter" and counter_pattern.fullmatch(f.name)
        ]
        with_status = [f for f in counters if set(entry.status_labels) & set(f.labels)]
        duration_pattern = re.compile(entry.duration)
        durations = [
            f
            for f in after.values()
            if f.type in ("histogram", "summary") and duration_pattern.fullmatch(f.name)
        ]
        if not with_status:
            yield self.finding(
                "missing-red",
                "no request counter with a status label "
                f"({'/'.join(entry.status_labels)}) matching {entry.request_counter!r}"
                + (
                    f"; found {', '.join(f.name for f in counters)} without one" if counters else ""
                ),
                fix="count requests in a Counter labelled by method, route template and status",
                key="rate-errors",
            )
        if not durations:
            yield self.finding(
                "missing-red",
                f"no request-duration histogram or summary matching {entry.duration!r}",
                fix="time each request in a Histogram (e.g. http_request_duration_seconds)",
                key="duration",
            )
        for family in with_status[:1] + durations[:1]:
            grown = _growth(family, before.get(family.name))
            if grown < sent:
                yield self.finding(
                    "metrics-not-live",
                    f"{family.name} grew by {grown:g} while the check sent {sent} answered "
                    "requests: the metric is registered but does not follow the traffic",
                    fix="update the metric in the request path (middleware), not only at start-up",
                    key=family.name,
                )

    def _bounded(
        self, entry: MetricsEntry, before: dict[str, Family], after: dict[str, Family]
    ) -> Iterator[Finding]:
        if entry.distinct_paths < 2:
            return
        for family in after.values():
            old = before.get(family.name)
            for label, values in family.labels.items():
                new = len(values) - (len(old.labels.get(label, ())) if old else 0)
                if new >= entry.distinct_paths // 2 + 1:
                    yield self.finding(
                        "unbounded-labels",
                        f"{family.name}{{{label}}} took {new} new values from "
                        f"{entry.distinct_paths} requests to new paths: its series grow "
                        "without bound in production",
                        fix=f"label {label} with the route template (e.g. /items/{{id}}) or "
                        "a fixed set of values, never the raw path or an id",
                        key=f"{family.name}/{label}",
                    )

    def _secrets(self, entry: MetricsEntry, fetched: Fetched) -> Iterator[Finding]:
        text = fetched.body.decode("utf-8", errors="replace")
        for match in scan_text(text, "metrics.txt"):
            yield self.finding(
                "secret-in-metrics",
                f"the metrics page exposes a secret ({match.rule}, {match.preview})",
                severity=Severity.CRITICAL,
                fix="never put credentials in label values; rotate the exposed one",
                key=match.secret_hash,
            )

    def _no_endpoint(self, entry: MetricsEntry, fetched: Fetched) -> Finding:
        return self.finding(
            "no-metrics-endpoint",
            f"{entry.url} gave {fetched.describe()} instead of metrics",
            fix="expose Prometheus metrics (prometheus_client's make_wsgi_app / "
            "make_asgi_app, or start_http_server) at the configured url",
            key=entry.url,
        )

    def _not_parseable(self, entry: MetricsEntry, problem: str) -> Finding:
        return self.finding(
            "not-parseable",
            f"{entry.url} is not the Prometheus text format: {problem}",
            fix="generate the page with a Prometheus client library",
            key=entry.url,
        )


def _root_of(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/", query="", fragment=""))


def _growth(family: Family, before: Family | None) -> float:
    """How much the family's count moved: `_total` for counters, `_count` for histograms."""
    suffix = "_total" if family.type == "counter" else "_count"
    name = next((n for n in family.totals if n.endswith(suffix)), None)
    if name is None:
        return 0.0
    old = before.totals.get(name, 0.0) if before else 0.0
    return family.totals[name] - old
