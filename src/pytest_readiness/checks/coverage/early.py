"""Start measuring before pytest imports the project's `conftest.py` files.

A conftest that imports the project (`from app import create_app`) runs the module-level lines of
those modules before any `pytest_configure` hook; a measurement started there sees them as
missed, and the total comes out lower than `coverage run -m pytest` or pytest-cov report it.
pytest-cov starts in `pytest_load_initial_conftests` for that reason, and so does this plugin:
registered before the initial conftests load (the `pytest11` entry point, or `-p`), it starts a
`Tracer` in the single process or xdist controller, which the coverage role then adopts. When the
gate turns out not to want coverage in this run, the tracer is stopped and its data dropped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_readiness.checks.coverage.engine import Tracer
    from pytest_readiness.checks.coverage.settings import CoverageSettings

EARLY_TRACER: pytest.StashKey[Tracer] = pytest.StashKey()
"""A tracer started before the initial conftests were imported, for the coverage role to adopt."""


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    settings = _wanted(early_config)
    if settings is None:
        return
    from pytest_readiness.checks.coverage.engine import Tracer
    from pytest_readiness.checks.coverage.untraced import import_checks_untraced

    data_dir = Path(tempfile.mkdtemp(prefix="readiness-coverage-"))
    tracer = Tracer(settings, data_dir, start=False)
    if not tracer.sysmon:  # the C tracer pays for every call of the gate's own imports
        import_checks_untraced()
    tracer.start()
    early_config.stash[EARLY_TRACER] = tracer
    # Also when the run stops before `pytest_configure` (a usage error): leave nothing behind.
    early_config.add_cleanup(lambda: _drop_unadopted(early_config))


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Drop a tracer that no coverage role adopted: the gate runs no coverage check here."""
    _drop_unadopted(config)


def _drop_unadopted(config: pytest.Config) -> None:
    tracer = config.stash.get(EARLY_TRACER, None)
    if tracer is not None:
        del config.stash[EARLY_TRACER]
        tracer.finish()
        shutil.rmtree(tracer.data_dir, ignore_errors=True)


def _wanted(config: pytest.Config) -> CoverageSettings | None:
    """This process's coverage settings when the gate will want it measured, else None.

    A guess from the raw options and table: where it is wrong, the gate's own parsing wins and
    the tracer is dropped in `pytest_configure`, or the role starts its own one later.
    """
    options = config.known_args_namespace
    if not getattr(options, "readiness", False) or getattr(options, "readiness_only", False):
        return None
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return None  # a worker learns its data directory from the controller, later
    if _pytest_cov_will_measure(config):
        return None
    if not _chosen(options.readiness_select, options.readiness_skip):
        return None
    # Imported here, past the cheap tests: a run without the gate must not pay for them.
    from pytest_readiness.checks.coverage.settings import CoverageSettings
    from pytest_readiness.config import COMMON_CHECK_KEYS, find_table
    from pytest_readiness.settings import SettingsError, load_dataclass

    try:
        _, prefix, table = find_table(config.rootpath)
        raw: Any = table.get("coverage", {})
        if not isinstance(raw, dict) or raw.get("enabled", True) is False:
            return None
        own = {key: value for key, value in raw.items() if key not in COMMON_CHECK_KEYS}
        settings: CoverageSettings = load_dataclass(CoverageSettings, own, f"{prefix}.coverage")
    except (pytest.UsageError, SettingsError):
        return None  # the gate reports the bad configuration in its own words
    return settings


def _pytest_cov_will_measure(config: pytest.Config) -> bool:
    """Before or after pytest-cov's own hook: it registers `_cov` and rewrites `cov_source`."""
    options = config.known_args_namespace
    if getattr(options, "no_cov", False):
        return False
    return config.pluginmanager.hasplugin("_cov") or bool(getattr(options, "cov_source", None))


def _chosen(select: str | None, skip: str | None) -> bool:
    names = {"coverage", "quality"}
    selected = {name.strip() for name in (select or "").split(",") if name.strip()}
    skipped = {name.strip() for name in (skip or "").split(",") if name.strip()}
    return (not selected or bool(selected & names)) and not skipped & names
