"""The gate's checks are imported before tracing only when no project code can hide among them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = (
    "import sys\n"
    "from pytest_readiness.checks.coverage.untraced import BUILTIN_CHECKS, import_checks_untraced\n"
    "print(import_checks_untraced(), BUILTIN_CHECKS in sys.modules)\n"
)


def probe(tmp_path: Path, pythonpath: str = "") -> str:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def test_installed_dependencies_are_imported_before_tracing(tmp_path: Path) -> None:
    assert probe(tmp_path) == "True True"


def test_a_dependency_from_the_projects_own_checkout_is_left_to_the_tracer(
    tmp_path: Path,
) -> None:
    """Working on idna (which requests brings in): its import must happen under the tracer."""
    checkout = tmp_path / "src"
    (checkout / "idna").mkdir(parents=True)
    (checkout / "idna" / "__init__.py").write_text("", "utf-8")
    assert probe(tmp_path, str(checkout)) == "False False"
