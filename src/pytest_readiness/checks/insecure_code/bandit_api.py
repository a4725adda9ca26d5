"""Bandit's modules, imported on first use rather than when the plugin loads.

Importing bandit loads all its plugins through stevedore (a noticeable fraction of a second) that
a run without this check should not pay; and stevedore warns about an argument bandit still
passes, a deprecation the project under test can do nothing about, so it is silenced here.
Bandit's log goes quiet too: every outcome it logs (an unparseable file, an unknown test named
in a `# nosec` comment) reaches the check's findings or is harmless, and worker processes have
no logging set up, so the messages would land on the terminal between pytest's lines.
"""

from __future__ import annotations

import functools
import importlib
import logging
import warnings
from types import ModuleType
from typing import NamedTuple


class Bandit(NamedTuple):
    version: str
    config: ModuleType
    manager: ModuleType
    docs_utils: ModuleType
    extension_loader: ModuleType
    utils: ModuleType


@functools.cache
def bandit() -> Bandit:
    format_warning = warnings.formatwarning
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", "The verify_requirements argument", DeprecationWarning
            )
            package = importlib.import_module("bandit")
            modules = {
                name: importlib.import_module(f"bandit.core.{name}")
                for name in ("config", "manager", "docs_utils", "extension_loader", "utils")
            }
    finally:
        # bandit.core.tester replaces the process-wide warning formatter when imported, which
        # would strip the category from every warning pytest shows for the rest of the run.
        warnings.formatwarning = format_warning
    logging.getLogger("bandit").setLevel(logging.CRITICAL)
    return Bandit(version=str(package.__version__), **modules)
