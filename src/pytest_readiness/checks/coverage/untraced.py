"""Import the gate's own checks before tracing starts, when that cannot hide project code.

The gate imports its checks (and hypothesis, requests, bandit, pip-audit...) in
`pytest_configure`, after the early tracer started: the tracer then pays for every line of those
imports, about a second of CPU on Python 3.12 where `sys.settrace` costs more. Imported first,
they cost nothing to trace. But a module imported before measurement has its module-level lines
missed, so this is done only when every module the gate's dependencies provide is installed
(in site-packages, which coverage.py never measures): not when the project under test is one of
them, from its own checkout or in editable mode.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sysconfig
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

GATE_DISTRIBUTION = "pytest-readiness"
BUILTIN_CHECKS = "pytest_readiness.checks.builtin"


def import_checks_untraced() -> bool:
    """Import the gate's checks now if no module they bring could be measured; say whether."""
    installed = [
        Path(path).resolve()
        for key in ("purelib", "platlib", "stdlib", "platstdlib")
        if (path := sysconfig.get_paths().get(key))
    ]
    for module in _gate_modules():
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            return False
        origin = spec.origin if spec is not None else None
        if origin is None or origin in ("built-in", "frozen"):
            continue
        if not any(Path(origin).resolve().is_relative_to(root) for root in installed):
            return False
    importlib.import_module(BUILTIN_CHECKS)
    return True


def _gate_modules() -> set[str]:
    """Top-level modules of the gate's dependencies, transitively, extras left out."""
    modules: set[str] = set()
    for name in _closure(GATE_DISTRIBUTION) - {canonicalize_name(GATE_DISTRIBUTION)}:
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        listed = distribution.read_text("top_level.txt")
        if listed:
            modules.update(listed.split())
            continue
        for file in distribution.files or []:
            top = file.parts[0]
            if len(file.parts) > 1 or top.endswith(".py"):
                modules.add(top.removesuffix(".py"))
    return {module for module in modules if module.isidentifier()}


def _closure(name: str) -> set[str]:
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = canonicalize_name(pending.pop())
        if current in seen:
            continue
        seen.add(current)
        try:
            requires = importlib.metadata.requires(current) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for line in requires:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return seen
