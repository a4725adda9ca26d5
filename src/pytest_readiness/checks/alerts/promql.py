"""Validate PromQL with a real parser: Prometheus's own `promtool`, else `promql-parser`.

`promtool check rules` (Debian's `prometheus` package) is the reference: it parses every
expression and also checks templates and durations. Where it is not installed, the
`promql-parser` package from PyPI (a Rust port of Prometheus's parser) checks the expressions.
Which one ran is part of the check's summary; with neither, the check cannot do its job.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pytest_readiness.checks.alerts.rules import AlertRule

PROMTOOL_TIMEOUT_S = 60
_PROMTOOL_RULE = re.compile(
    r'group "(?P<group>[^"]*)", rule (?P<index>\d+), "[^"]*": (?P<message>.*)'
)


@dataclass(frozen=True)
class Invalid:
    """A rule (or, with `rule` None, the whole file) that the parser rejected."""

    rule: AlertRule | None
    message: str


class NoParser(Exception):
    """Neither promtool nor promql-parser is available."""


def parser_name() -> str:
    """The parser this machine has: `promtool`, `promql-parser`, or raise NoParser."""
    if shutil.which("promtool"):
        return "promtool"
    try:
        import promql_parser  # noqa: F401
    except ImportError:
        raise NoParser(
            "no PromQL parser: install Prometheus's promtool (Debian: apt-get install "
            "prometheus) or `pip install pytest-readiness[promql]`"
        ) from None
    return "promql-parser"


def validate(name: str, groups: list[dict[str, Any]], rules: Sequence[AlertRule]) -> list[Invalid]:
    if name == "promtool":
        return _promtool(groups, rules)
    return _promql_parser(rules)


def _promtool(groups: list[dict[str, Any]], rules: Sequence[AlertRule]) -> list[Invalid]:
    by_place = {(rule.group, rule.index): rule for rule in rules}
    with tempfile.TemporaryDirectory(prefix="readiness-rules-") as folder:
        path = Path(folder) / "rules.yml"
        path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False), "utf-8")
        try:
            done = subprocess.run(
                ["promtool", "check", "rules", str(path)],
                capture_output=True,
                text=True,
                timeout=PROMTOOL_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return [Invalid(None, f"promtool did not finish within {PROMTOOL_TIMEOUT_S} s")]
        if done.returncode == 0:
            return []
        found = []
        for line in (done.stdout + done.stderr).splitlines():
            text = line.replace(str(path), "rules file").strip()
            match = _PROMTOOL_RULE.search(text)
            if match:
                rule = by_place.get((match["group"], int(match["index"])))
                found.append(Invalid(rule, match["message"]))
            elif text and not text.startswith(("Checking", "FAILED", "SUCCESS")):
                found.append(Invalid(None, text))
        return found or [Invalid(None, f"promtool failed with status {done.returncode}")]


def _promql_parser(rules: Sequence[AlertRule]) -> list[Invalid]:
    import promql_parser

    found = []
    for rule in rules:
        try:
            promql_parser.parse(rule.expr)
        except ValueError as error:
            found.append(Invalid(rule, f"could not parse expression: {error}"))
    return found
