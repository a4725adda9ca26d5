"""Starting a gated run: gather the checks, resolve settings and options, register the roles.

Imported only when `--readiness` or `--readiness-only` is given, so that a plain test run of a
project that has the plugin installed pays nothing for the checks and their libraries.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from pytest_readiness.check import Check
from pytest_readiness.config import chosen, load_config, parse_id_list, selectable_names
from pytest_readiness.gate import GATE_KEY, Gate, GateOptions
from pytest_readiness.roles import CentralRole, ItemRole, XdistControllerRole
from pytest_readiness.settings import SettingsError

BUILTIN_CHECKS = "pytest_readiness.checks.builtin"


def start_gated_run(config: pytest.Config) -> None:
    pluginmanager = config.pluginmanager
    # Imported, not `import_plugin`ed: the coverage check may have imported the checks before
    # tracing started, and pytest (8.0) warns that an imported plugin cannot be rewritten; the
    # checks hold no test assertions to rewrite.
    if not pluginmanager.has_plugin(BUILTIN_CHECKS):
        pluginmanager.register(importlib.import_module(BUILTIN_CHECKS), BUILTIN_CHECKS)
    classes = _check_classes(config)
    settings = load_config(config.rootpath, classes)
    known = selectable_names(classes)
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
        html_path=_output_path(config, config.option.readiness_html),
        history_path=_output_path(config, config.option.readiness_history),
        baseline_update=config.option.readiness_baseline_update,
        no_cache=config.option.readiness_no_cache,
    )
    checks: list[Check] = []
    for check_class in classes:
        check_config = settings.checks[check_class.id]
        if not check_config.enabled or not chosen(
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
    pluginmanager.register(ItemRole(gate), "readiness-items")
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


def _output_path(config: pytest.Config, value: str | None) -> Path | None:
    return None if value is None else config.invocation_params.dir / value
