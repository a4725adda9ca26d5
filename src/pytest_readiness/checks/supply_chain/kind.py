"""Whether the project is an application or a library, and which requirements are development-only.

Both supply-chain checks hold the two kinds to different standards (an application audits and
hashes what it deploys; a library keeps ranges), so they guess the kind the same way, here.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from typing import Literal

from pytest_readiness.check import CheckContext
from pytest_readiness.checks.supply_chain.entries import Declared
from pytest_readiness.checks.supply_chain.inventory import Inventory

Kind = Literal["application", "library"]
KindSetting = Literal["auto", "application", "library"]

_DEVELOPMENT_FILE = re.compile(r"(dev|test|doc|lint|ci|type)", re.IGNORECASE)
_CONTAINER_FILES = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "Containerfile")
"""At the root only: a Dockerfile of an example or a test fixture says nothing about the kind."""


def development_file(path: str) -> bool:
    """A requirements file for development (dev, test, docs, lint, CI, typing), by its name."""
    return bool(_DEVELOPMENT_FILE.search(path))


def development(entry: Declared) -> bool:
    """A requirement the deployed code does not need: an extra, a group, a dev requirements file."""
    return entry.origin in ("optional", "group") or (
        entry.origin in ("requirements", "constraints") and development_file(entry.path)
    )


def guess_kind(
    ctx: CheckContext, inventory: Inventory, configured: KindSetting
) -> tuple[Kind, str]:
    """The kind and why: configured, or guessed from what the repository holds at its root."""
    if configured != "auto":
        return configured, "configured"
    project = inventory.project
    if project is None or not project.has_project_table:
        return "application", "guessed: no [project] table, so not a distributed package"
    if inventory.lock_files:
        return "application", f"guessed from {inventory.lock_files[0]}; set `kind` to change"
    root_files = [file.path for file in ctx.files.all if "/" not in file.path]
    containers = [path for path in root_files if any(fnmatch(path, p) for p in _CONTAINER_FILES)]
    if containers:
        return "application", f"guessed from {containers[0]}; set `kind` to change"
    deployed = [
        path
        for path in inventory.requirement_files
        if "/" not in path and path.startswith("requirements") and not development_file(path)
    ]
    if deployed:
        return "application", f"guessed from {deployed[0]}; set `kind` to change"
    return "library", "guessed: a [project] package without lock, container or requirements.txt"
