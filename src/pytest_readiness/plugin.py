"""pytest hooks and options of pytest-readiness; the work itself happens in the Gate and roles.

Without `--readiness` (or `--readiness-only`) these hooks change nothing about a test run:
the `readiness` marker is registered so that marked tests run anywhere, and that is all.
"""

from __future__ import annotations

import warnings
from collections.abc import Generator, Sequence
from pathlib import Path

import pytest

from pytest_readiness import hookspecs
from pytest_readiness.check import Check
from pytest_readiness.checks import builtin
from pytest_readiness.config import load_config, parse_id_list
from pytest_readiness.gate import GATE_KEY, Gate, GateOptions
from pytest_readiness.items import (
    COLLECTOR_NAME,
    ReadinessCollector,
    ReadinessItem,
    ReadinessRiskWarning,
    risk_message,
)
from pytest_readiness.markers import MARKER_HELP, marker_spec, record_for
from pytest_readiness.model import Category, Outcome
from pytest_readiness.roles import CentralRole, XdistControllerRole
from pytest_readiness.settings import SettingsError

BUILTIN_PLUGIN_NAME = "readiness-builtin-checks"
EARLY_COVERAGE_PLUGIN = "pytest_readiness.checks.coverage.early"

# Fixtures for the project's own readiness tests: available in every run, used only when asked for.
pytest_plugins = ["pytest_readiness.fixtures.faults", "pytest_readiness.fixtures.health"]


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
    if not (config.option.readiness or config.option.readiness_only):
        return
    pluginmanager = config.pluginmanager
    if not pluginmanager.has_plugin(BUILTIN_PLUGIN_NAME):
        pluginmanager.register(builtin, BUILTIN_PLUGIN_NAME)
    classes = _check_classes(config)
    settings = load_config(config.rootpath, classes)
    known = {check.id for check in classes} | {category.value for category in Category}
    select = parse_id_list(config.option.readiness_select, known, "--readiness-select")
    skip = parse_id_list(config.option.readiness_skip, known, "--readiness-skip")
    options = GateOptions(
        readiness_only=config.option.readiness_only,
        select=settings.gate.select if select is None else select,
        skip=settings.gate.skip if skip is None else skip,
        fail_on=config.option.readiness_fail_on or settings.gate.fail_on,
        report_path=_output_path(config, config.option.readiness_report),
        markdown_path=_output_path(config, config.option.readiness_markdown),
        sarif_path=_output_path(config, config.option.readiness_sarif),
        baseline_update=config.option.readiness_baseline_update,
        no_cache=config.option.readiness_no_cache,
    )
    checks: list[Check] = []
    for check_class in classes:
        check_config = settings.checks[check_class.id]
        if not check_config.enabled or not _chosen(
            check_class.id, check_class.category.value, options.select, options.skip
        ):
            continue
        try:
            instances = check_class.instances(check_config.settings, severity=check_config.severity)
        except SettingsError as error:
            raise pytest.UsageError(f"{settings.source}: {error}") from None
        checks.extend(instances)
    checks.sort(key=lambda check: check.name)
    gate = Gate(config, options, settings, checks)
    config.stash[GATE_KEY] = gate
    for check_class in {type(check) for check in checks}:
        if check_class.needs_test_run and options.readiness_only:
            continue
        plugin = check_class.session_plugin(
            settings.checks[check_class.id].settings, gate.artifacts
        )
        if plugin is not None:
            pluginmanager.register(plugin, f"readiness-{check_class.id}")
    if not hasattr(config, "workerinput"):
        central = CentralRole(gate)
        pluginmanager.register(central, "readiness-central")
        if pluginmanager.has_plugin("xdist"):
            pluginmanager.register(XdistControllerRole(central), "readiness-xdist-controller")


def _check_classes(config: pytest.Config) -> list[type[Check]]:
    classes: list[type[Check]] = []
    seen: dict[str, type[Check]] = {}
    for returned in config.hook.pytest_readiness_checks():
        for check_class in returned:
            if check_class.id in seen and seen[check_class.id] is not check_class:
                raise pytest.UsageError(
                    f"two readiness checks share the id {check_class.id!r}: "
                    f"{seen[check_class.id].__module__} and {check_class.__module__}"
                )
            if check_class.id not in seen:
                seen[check_class.id] = check_class
                classes.append(check_class)
    return classes


def _chosen(check_id: str, category: str, select: Sequence[str], skip: Sequence[str]) -> bool:
    if select and check_id not in select and category not in select:
        return False
    return check_id not in skip and category not in skip


def _output_path(config: pytest.Config, value: str | None) -> Path | None:
    return None if value is None else config.invocation_params.dir / value


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    gate = config.stash.get(GATE_KEY, None)
    if gate is None:
        return
    if gate.options.readiness_only:
        kept: list[pytest.Item] = []
        dropped: list[pytest.Item] = []
        for item in items:
            spec = marker_spec(item)
            wanted = spec is not None and _chosen(
                spec.id, spec.category.value, gate.options.select, gate.options.skip
            )
            (kept if wanted else dropped).append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
    else:
        for item in items:
            marker_spec(item)
    collector = ReadinessCollector.from_parent(
        session, name=COLLECTOR_NAME, nodeid=COLLECTOR_NAME, checks=gate.checks
    )
    items.extend(session.genitems(collector))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item) -> bool | None:
    """Deferred checks do not run where they are scheduled; the controller decides them."""
    if isinstance(item, ReadinessItem) and item.check.deferred:
        return True
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if GATE_KEY not in item.config.stash:
        return report
    if isinstance(item, ReadinessItem):
        record = item.record if call.when == "call" else None
        report.readiness = {"kind": "check", "record": record.to_dict() if record else None}  # type: ignore[attr-defined]
        return report
    spec = marker_spec(item)
    if spec is not None and call.when == "call":
        record = record_for(spec, report)
        if record.outcome is Outcome.FAILED and not spec.severity.blocking:
            report.outcome, report.longrepr = "passed", None
            warnings.warn(ReadinessRiskWarning(risk_message(record)), stacklevel=1)
        report.readiness = {"kind": "test", "record": record.to_dict()}  # type: ignore[attr-defined]
    return report
