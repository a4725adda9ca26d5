"""The state of one gated run: the selected checks, how to run one, and what was recorded.

One `Gate` lives in `config.stash` per process. Workers use it to run checks; the controller
(or the single process) also records every result and decides the verdict.
"""

from __future__ import annotations

import datetime
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import (
    ATTESTATIONS_ARTIFACT,
    RECORDS_ARTIFACT,
    TEST_RUN_ARTIFACT,
    Check,
    CheckContext,
    CheckError,
    CheckSkipped,
)
from pytest_readiness.config import ReadinessConfig
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckRecord, Outcome, TestRun
from pytest_readiness.reading import ReadLimits, ReadLog, scope
from pytest_readiness.verdict import Decision, WaiverUse
from pytest_readiness.waivers import apply_waivers

GATE_KEY = pytest.StashKey["Gate"]()


@dataclass(frozen=True)
class GateOptions:
    """The run's choices after the command line has overridden the configuration."""

    readiness_only: bool
    select: Sequence[str]
    skip: Sequence[str]
    fail_on: str
    report_path: Path | None
    markdown_path: Path | None
    sarif_path: Path | None
    html_path: Path | None
    history_path: Path | None
    baseline_update: bool
    no_cache: bool


class Gate:
    def __init__(
        self,
        config: pytest.Config,
        options: GateOptions,
        settings: ReadinessConfig,
        checks: Sequence[Check],
    ) -> None:
        self.config = config
        self.options = options
        self.settings = settings
        self.checks = list(checks)
        self.today = datetime.date.today()
        self.started = time.monotonic()
        self.notes: list[str] = []
        cache_dir = None if options.no_cache else self._cache_dir(config)
        self.context = CheckContext(
            rootdir=config.rootpath,
            files=ProjectFiles(config.rootpath, settings.gate.exclude),
            cache=ContentCache(cache_dir),
            baseline_update=options.baseline_update,
            readiness_only=options.readiness_only,
        )
        self.read_limits = ReadLimits(settings.gate.max_file_bytes, settings.gate.max_line_bytes)
        self.records: list[CheckRecord] = []
        self.tests = TestRun()
        self.context.artifacts[TEST_RUN_ARTIFACT] = self.tests
        self.context.artifacts[RECORDS_ARTIFACT] = self.records
        self.context.artifacts[ATTESTATIONS_ARTIFACT] = settings.gate.attestations
        self.decision: Decision | None = None
        self.waiver_uses: list[WaiverUse] = []
        self.report: dict[str, Any] | None = None
        self.output_error: str | None = None

    def _cache_dir(self, config: pytest.Config) -> Path | None:
        """pytest's cache directory for our entries; none when the cacheprovider plugin is off.

        A read-only project (or cache directory) turns the cache off with one note: the checks
        only run slower without it.
        """
        cache = getattr(config, "cache", None)
        if cache is None:
            return None
        try:
            path: Path = cache.mkdir("readiness")
        except OSError as error:
            self.notes.append(f"readiness: result cache off: {error}")
            return None
        return path

    @property
    def artifacts(self) -> dict[str, Any]:
        return self.context.artifacts

    def skipped_by_run(self, check: Check) -> str | None:
        """Why this run cannot decide `check`, if it cannot."""
        if check.needs_test_run and self.options.readiness_only:
            return "needs the full test run; skipped under --readiness-only"
        return None

    def run_check(self, check: Check, nodeid: str) -> CheckRecord:
        """Run one check, never letting it pass silently: every failure to run is an error."""
        started = time.monotonic()
        record = CheckRecord(
            id=check.id,
            nodeid=nodeid,
            category=check.category,
            severity=check.effective_severity,
            outcome=Outcome.PASSED,
        )
        reason = self.skipped_by_run(check)
        reads = ReadLog()
        try:
            if reason is not None:
                raise CheckSkipped(reason)
            with scope(self.read_limits, self.context.rootdir, reads):
                result = check.run(self.context)
        except CheckSkipped as skipped:
            record.outcome, record.summary = Outcome.SKIPPED, str(skipped)
        except CheckError as error:
            record.outcome, record.error = Outcome.ERROR, str(error)
            record.summary = f"could not run: {error}"
        except Exception as error:  # a bug in a check must not read as a pass
            record.outcome, record.error = Outcome.ERROR, traceback.format_exc(limit=-8)
            record.summary = f"check crashed: {type(error).__name__}: {error}"
        else:
            findings = list(result.findings)
            self.config.hook.pytest_readiness_modify_findings(check=check, findings=findings)
            record.findings = apply_waivers(
                check.id, findings, self.settings.gate.waivers, self.today
            )
            record.metrics = dict(result.metrics)
            record.histograms = dict(result.histograms)
            record.series = {name: dict(values) for name, values in result.series.items()}
            record.summary = result.summary
            if any(finding.severity.blocking for finding in record.open_findings):
                record.outcome = Outcome.FAILED
        reads.annotate(record, self.read_limits)
        record.duration_s = time.monotonic() - started
        return record
