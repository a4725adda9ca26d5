"""pytest hooks and options of pytest-readiness; the work itself happens in the Gate and roles.

Without `--readiness` (or `--readiness-only`) these hooks change nothing about a test run:
the `readiness` marker is registered so that marked tests run anywhere, and that is all. The
checks and the gate are imported only when a gated run starts (`startup.start_gated_run`).
"""

from __future__ import annotations

import pytest

from pytest_readiness import hookspecs
from pytest_readiness.markers import MARKER_HELP

EARLY_COVERAGE_PLUGIN = "pytest_readiness.checks.coverage.early"

# Fixtures for the project's own readiness tests: available in every run, used only when asked for.
pytest_plugins = [
    "pytest_readiness.fixtures.faults",
    "pytest_readiness.fixtures.health",
    "pytest_readiness.fixtures.load",
]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)
    # Coverage must start before the project's conftests import its code, as pytest-cov does.
    pluginmanager.import_plugin(EARLY_COVERAGE_PLUGIN)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("readiness", "production-readiness gate")
    group.addoption(
        "--readiness", action="store_true", help="collect readiness checks and decide a verdict"
    )
    group.addoption(
        "--readiness-only",
        action="store_true",
        help="run only readiness checks and tests marked `readiness` (implies --readiness)",
    )
    group.addoption(
        "--readiness-select", metavar="ID,...", help="run only these checks (ids or categories)"
    )
    group.addoption(
        "--readiness-skip", metavar="ID,...", help="leave out these checks (ids or categories)"
    )
    group.addoption("--readiness-report", metavar="PATH", help="write the JSON report to PATH")
    group.addoption(
        "--readiness-markdown", metavar="PATH", help="write the Markdown summary to PATH"
    )
    group.addoption(
        "--readiness-sarif", metavar="PATH", help="write findings with a location as SARIF 2.1.0"
    )
    group.addoption(
        "--readiness-html",
        metavar="PATH",
        help="write the self-contained HTML dashboard to PATH (no network needed to view it)",
    )
    group.addoption(
        "--readiness-history",
        metavar="PATH",
        help="append one JSON line per run to PATH (verdict, counts, metrics) for trends",
    )
    group.addoption(
        "--readiness-fail-on",
        choices=("not-ready", "risks"),
        help="the verdict that makes the exit status non-zero (default: not-ready)",
    )
    group.addoption(
        "--readiness-baseline-update",
        action="store_true",
        help="rewrite the baselines (coverage ratchet, accepted findings) from this run",
    )
    group.addoption(
        "--readiness-no-cache", action="store_true", help="ignore and do not write the result cache"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    if config.option.readiness or config.option.readiness_only:
        from pytest_readiness.startup import start_gated_run

        start_gated_run(config)
