"""Bandit is imported once, on first use, without leaking stevedore's deprecation warning."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from pytest_readiness.checks.insecure_code.bandit_api import bandit


def test_modules_are_loaded_once_and_report_bandits_version() -> None:
    assert bandit() is bandit()
    assert bandit().version == metadata.version("bandit")
    assert hasattr(bandit().manager, "BanditManager")


def test_importing_the_check_does_not_import_bandit_and_loading_it_warns_nothing() -> None:
    script = (
        "import sys, warnings\n"
        "warnings.simplefilter('error')\n"
        "import pytest_readiness.checks.insecure_code\n"
        "assert 'bandit' not in sys.modules\n"
        "from pytest_readiness.checks.insecure_code.bandit_api import bandit\n"
        "bandit()\n"
    )

    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )

    assert completed.returncode == 0, completed.stderr


def test_importing_bandit_leaves_the_warning_format_alone() -> None:
    """In a fresh interpreter bandit's import really runs; pytest's warnings keep their category."""
    code = (
        "import warnings\n"
        "before = warnings.formatwarning\n"
        "from pytest_readiness.checks.insecure_code.bandit_api import bandit\n"
        "bandit()\n"
        "assert warnings.formatwarning is before, warnings.formatwarning\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
