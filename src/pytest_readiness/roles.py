"""Who does what in a run: the central process decides, xdist workers only run items.

`ItemRole` is registered in every process: it adds the check items and marks their reports.
`CentralRole` is registered in the single process of a plain run and in the controller of a
pytest-xdist run; workers register nothing of it, so every result is recorded exactly once.
Reports from workers carry their check records in a `readiness` attribute, which xdist
serialises with the report.
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness import __version__
from pytest_readiness.check import REVIEW_ARTIFACT
from pytest_readiness.completeness import (
    Completeness,
    RunJournal,
    assess,
    deselection_cause,
    exit_status,
)
from pytest_readiness.config import chosen
from pytest_readiness.dedupe import merge_duplicates
from pytest_readiness.gate import Gate
from pytest_readiness.items import (
    COLLECTOR_NAME,
    ReadinessCollector,
    ReadinessItem,
    item_nodeid,
    reports_for,
    warn_risk,
)
from pytest_readiness.markers import (
    failure_message,
    marker_spec,
    mentions_marker,
    record_for,
    report_place,
)
from pytest_readiness.masking import mask_test_report
from pytest_readiness.model import CheckRecord, FailedTest, Outcome
from pytest_readiness.reporting import terminal
from pytest_readiness.reporting.ci import publish
from pytest_readiness.reporting.html import write_dashboard
from pytest_readiness.reporting.json_report import build_report, write_report
from pytest_readiness.verdict import decide, reaches, waiver_uses


class CentralRole:
    """Records every result, runs deferred checks after the tests, decides and reports."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.journal = RunJournal()
        self._listed = False

    def pytest_collection_modifyitems(self) -> None:
        self._listed = True

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Collection ran to its end (pytest calls this hook even when a path was not found)."""
        if self._listed:
            self.journal.collected = {item.nodeid for item in session.items}
            self.journal.collection_finished = True

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A module that cannot be collected is an error of the test run, in every mode.

        Counted once per node: xdist relays each worker's report unless their texts are equal.
        """
        if not report.failed or report.nodeid in self.journal.collection_errors:
            return
        self.journal.collection_errors.append(report.nodeid)
        self.gate.tests.errors += 1
        path, line = report_place(report)
        message = f"error in collection: {failure_message(report)}"
        self.gate.tests.failures.append(FailedTest(report.nodeid or ".", path, line, message))

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self.journal.interrupted(excinfo)

    def pytest_internalerror(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self.journal.crashed(excinfo)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        payload = getattr(report, "readiness", None)
        if payload and payload.get("record"):
            self.gate.records.append(CheckRecord.from_dict(payload["record"]))
        if payload and payload["kind"] == "check":
            return
        self._count_test(report)

    def _count_test(self, report: pytest.TestReport) -> None:
        tests = self.gate.tests
        if report.when == "call":
            if report.passed:
                tests.passed += 1
            elif report.skipped:
                tests.skipped += 1
            else:
                tests.failed += 1
                self._remember_failure(report)
        elif report.failed:
            tests.errors += 1
            self._remember_failure(report)
        elif report.skipped:
            tests.skipped += 1

    def _remember_failure(self, report: pytest.TestReport) -> None:
        path, line = report_place(report)
        message = failure_message(report)
        if report.when != "call":
            message = f"error in {report.when}: {message}"
        self.gate.tests.failures.append(FailedTest(report.nodeid, path, line, message))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        result = yield
        if not session.config.option.collectonly:
            self._run_deferred(session)
        self.journal.loop_finished = True
        return result

    def _run_deferred(self, session: pytest.Session) -> None:
        hook = session.config.hook
        # A check that judges the other records goes last, whatever its name.
        for check in sorted(self.gate.checks, key=lambda check: check.reads_records):
            nodeid = item_nodeid(check)
            if not check.deferred or nodeid not in self.journal.collected:
                continue
            record = self.gate.run_check(check, nodeid)
            hook.pytest_runtest_logstart(nodeid=nodeid, location=("readiness", None, check.name))
            for report in reports_for(nodeid, record):
                hook.pytest_runtest_logreport(report=report)
            hook.pytest_runtest_logfinish(nodeid=nodeid, location=("readiness", None, check.name))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        if config.option.collectonly:
            return
        gate = self.gate
        completeness = self._completeness(session)
        gate.records = merge_duplicates(gate.records)
        gate.waiver_uses = waiver_uses(gate.settings.gate.waivers, gate.records, gate.today)
        gate.decision = decide(
            gate.records,
            gate.tests,
            gate.waiver_uses,
            completeness.verdict_reasons(),
            attestations=gate.settings.gate.attestations,
            today=gate.today,
        )
        session.exitstatus = exit_status(
            session.exitstatus,
            self.journal,
            completeness,
            continue_on_collection_errors=config.option.continue_on_collection_errors,
            stopped_after_failures=bool(session.shouldfail),
            verdict_fails=reaches(gate.decision.verdict, gate.options.fail_on),
        )
        report = build_report(
            gate.decision,
            gate.records,
            gate.tests,
            gate.waiver_uses,
            int(session.exitstatus),
            time.monotonic() - gate.started,
            completeness=completeness,
            review=gate.artifacts.get(REVIEW_ARTIFACT),
        )
        config.hook.pytest_readiness_report(report=report, config=config)
        gate.report = report
        try:
            self._write_outputs(config, report)
        except OSError as error:
            gate.output_error = f"readiness: cannot write a report: {error}"
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
            report["exit_status"] = int(session.exitstatus)

    def _completeness(self, session: pytest.Session) -> Completeness:
        option = session.config.option
        return assess(
            self.journal,
            [(check.id, item_nodeid(check)) for check in self.gate.checks],
            {record.nodeid for record in self.gate.records},
            stopped_after_failures=str(session.shouldfail) if session.shouldfail else None,
            exit_status=int(session.exitstatus),
            deselected_by=lambda nodeid: deselection_cause(nodeid, option),
        )

    def _write_outputs(self, config: pytest.Config, report: dict[str, Any]) -> None:
        options = self.gate.options
        if options.report_path is not None:
            write_report(options.report_path, report)
        write_dashboard(report, options.history_path, options.html_path)
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        publish(
            report,
            markdown_path=options.markdown_path,
            sarif_path=options.sarif_path,
            environ=os.environ,
            write_line=reporter.write_line if reporter is not None else print,
            tool_version=__version__,
        )

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.gate.report is not None:
            terminal.write_summary(terminalreporter, self.gate.report)
        for note in self.gate.notes:
            terminalreporter.write_line(note, yellow=True)
        if self.gate.output_error:
            terminalreporter.write_line(self.gate.output_error, red=True, bold=True)


class XdistControllerRole:
    """Learns from the workers which items exist: the controller collects none itself."""

    def __init__(self, central: CentralRole) -> None:
        self.central = central

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.central.journal.collected.update(ids)
        self.central.journal.collection_finished = True

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object | None) -> None:
        """xdist neither shows nor counts a worker's usage error (a path that does not exist)."""
        output = getattr(node, "workeroutput", None) or {}
        if output.get("exitstatus") == pytest.ExitCode.USAGE_ERROR:
            journal = self.central.journal
            journal.collection_finished = False
            journal.usage_error = (
                f"pytest-xdist worker {node.gateway.id} stopped with a usage error "
                "(for example a path that does not exist); run without -n to see it"
            )


class ItemRole:
    """Every process (single, controller, worker): adds the check items and marks their reports."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    def pytest_ignore_collect(self, collection_path: Path) -> bool | None:
        """Under --readiness-only, a test module that never names the marker is not imported."""
        if (
            self.gate.options.readiness_only
            and collection_path.suffix == ".py"
            and collection_path.name != "conftest.py"
            and collection_path.is_file()
            and not mentions_marker(collection_path)
        ):
            return True
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        options = self.gate.options
        if options.readiness_only:
            kept: list[pytest.Item] = []
            dropped: list[pytest.Item] = []
            for item in items:
                spec = marker_spec(item)
                wanted = spec is not None and chosen(
                    spec.id, spec.category.value, options.select, options.skip
                )
                (kept if wanted else dropped).append(item)
            if dropped:
                config.hook.pytest_deselected(items=dropped)
                items[:] = kept
        else:
            for item in items:
                marker_spec(item)
        collector = ReadinessCollector.from_parent(
            session, name=COLLECTOR_NAME, nodeid=COLLECTOR_NAME, checks=self.gate.checks
        )
        items.extend(session.genitems(collector))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> bool | None:
        """Deferred checks do not run where they are scheduled; the controller decides them."""
        if isinstance(item, ReadinessItem) and item.check.deferred:
            return True
        return None

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        mask_test_report(report)
        if isinstance(item, ReadinessItem):
            record = item.record if call.when == "call" else None
            payload = {"kind": "check", "record": record.to_dict() if record else None}
            report.readiness = payload  # type: ignore[attr-defined]
            return report
        spec = marker_spec(item)
        if spec is not None and call.when == "call":
            record = record_for(spec, report)
            if record.outcome is Outcome.FAILED and not spec.severity.blocking:
                report.outcome, report.longrepr = "passed", None
                warn_risk(record)
            report.readiness = {"kind": "test", "record": record.to_dict()}  # type: ignore[attr-defined]
        return report
