"""Put the gate's result where CI users look: files they asked for, the job page, the diff.

Everything the environment decides is passed in (`environ`, `write_line`), so the gate calls
this once at session finish and tests call it with a plain dict and a list.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pytest_readiness.reporting.annotations import render_annotations
from pytest_readiness.reporting.markdown import DEFAULT_MAX_BYTES, render_markdown
from pytest_readiness.reporting.sarif import render_sarif

STEP_SUMMARY_LIMIT = 1024 * 1024
"""GitHub rejects a step's job summary beyond 1 MiB (everything appended in the step)."""


def publish(
    report: dict[str, Any],
    *,
    markdown_path: Path | None,
    sarif_path: Path | None,
    environ: Mapping[str, str],
    write_line: Callable[[str], None],
    tool_version: str,
) -> None:
    """Write the asked-for Markdown and SARIF files and, on GitHub Actions, the job outputs.

    With `markdown_path`, the same summary is appended to `$GITHUB_STEP_SUMMARY` when that is
    set, cut to what the step's 1 MiB allows. Annotations are printed only when
    `GITHUB_ACTIONS` is `true`. Raises OSError when a file cannot be written.
    """
    if markdown_path is not None:
        _write(markdown_path, render_markdown(report))
        step_summary = environ.get("GITHUB_STEP_SUMMARY")
        if step_summary:
            _append_step_summary(Path(step_summary), report)
    if sarif_path is not None:
        sarif = render_sarif(report, tool_version)
        _write(sarif_path, json.dumps(sarif, indent=2, ensure_ascii=False) + "\n")
    if environ.get("GITHUB_ACTIONS") == "true":
        for line in render_annotations(report):
            write_line(line)


def _append_step_summary(path: Path, report: dict[str, Any]) -> None:
    used = path.stat().st_size if path.exists() else 0
    room = min(DEFAULT_MAX_BYTES, STEP_SUMMARY_LIMIT - used - 2)
    with path.open("a", encoding="utf-8") as summary:
        summary.write(("\n" if used else "") + render_markdown(report, max_bytes=room))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
