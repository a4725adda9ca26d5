"""docs/configuration.md lists exactly the keys the code accepts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "configuration_docs.py"


def test_configuration_page_matches_the_settings_classes() -> None:
    spec = importlib.util.spec_from_file_location("configuration_docs", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = module.PAGE.read_text("utf-8")
    assert module.current_section(page) == module.generate(), (
        "docs/configuration.md is stale: run `python scripts/configuration_docs.py --write`"
    )
