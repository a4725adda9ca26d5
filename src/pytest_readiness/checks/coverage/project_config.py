"""The project's coverage.py configuration, read as `coverage run` reads it, into a Coverage.

Without a configured `source`, coverage.py measures every file the run executes outside the
standard library and installed packages; so does the check, so its figure is the one
`coverage run -m pytest` prints. The gate's own package is left out: installed, coverage.py
skips it anyway; installed in editable mode, it would count the gate's code as the project's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import coverage
from coverage.config import CoverageConfig
from coverage.exceptions import ConfigError, CoverageException

import pytest_readiness
from pytest_readiness.checks.coverage.settings import CoverageSettings

OWN_PACKAGE = str(Path(pytest_readiness.__file__).resolve().parent / "*")
SYSMON_CONCURRENCY_CONFLICTS = frozenset({"greenlet", "eventlet", "gevent"})


def new_coverage(settings: CoverageSettings, data_file: Path) -> coverage.Coverage:
    """A Coverage set up from the project's own configuration, writing into `data_file`.

    `branch` from the gate's settings overrides the project's; on Python 3.12+ the cheaper
    `sys.monitoring` core is chosen where coverage.py supports it (see `prefer_sysmon`).
    """
    cov = coverage.Coverage(data_file=str(data_file), data_suffix=True, config_file=True)
    if settings.branch is not None:
        cov.set_option("run:branch", settings.branch)
    omit = cov.get_option("run:omit") or []
    assert isinstance(omit, list)
    cov.set_option("run:omit", [*omit, OWN_PACKAGE])
    prefer_sysmon(cov)
    return cov


def source_configured(cov: coverage.Coverage) -> bool:
    return bool(cov.get_option("run:source") or cov.get_option("run:source_pkgs"))


def prefer_sysmon(cov: coverage.Coverage, version: tuple[int, int] | None = None) -> bool:
    """Trace with `sys.monitoring` when nothing in the settings rules it out; say whether.

    coverage.py's documented limits: Python 3.12+; branch coverage only from 3.14; no plugins,
    dynamic contexts, or greenlet/eventlet/gevent concurrency. A core the project chose itself
    (`[run] core`, `COVERAGE_CORE`, `timid`) is kept; coverage.py older than 7.9 has no `core`.
    """
    major_minor = version or sys.version_info[:2]
    if major_minor < (3, 12):
        return False
    try:
        chosen = cov.get_option("run:core")
    except (ConfigError, CoverageException):  # no `core` before coverage.py 7.9
        return False
    concurrency = cov.get_option("run:concurrency") or []
    assert isinstance(concurrency, list)
    ruled_out = (
        chosen is not None
        or cov.get_option("run:timid")
        or cov.get_option("run:plugins")
        or cov.get_option("run:dynamic_context")
        or (cov.get_option("run:branch") and major_minor < (3, 14))
        or bool(SYSMON_CONCURRENCY_CONFLICTS.intersection(concurrency))
    )
    if ruled_out:
        return False
    cov.set_option("run:core", "sysmon")
    return True


def explicit_fail_under(cov: coverage.Coverage) -> float | None:
    """The project's own `[report] fail_under`, or None when its configuration has none.

    coverage.py's value is 0 both when unset and when set to 0; only the file tells them apart,
    so the file coverage.py read is read again, by coverage.py, onto a config without a default.
    """
    for name in cov.config.config_files_read:
        config = CoverageConfig()
        config.fail_under = None  # type: ignore[assignment]
        config.from_file(name, warn=lambda _: None, our_file=name == cov.config.config_file)
        if config.fail_under is not None:
            return float(config.fail_under)
    return None
