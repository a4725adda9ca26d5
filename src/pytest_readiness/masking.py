"""One masking step for every string the plugin writes: the secrets rules, applied to output.

The report model is masked once where it is built, so every writer (terminal, JSON, Markdown,
SARIF, annotations, step summary) is safe by construction; test reports (names, failure text,
captured output, JUnit properties) are masked as they are made. A secret becomes what the
`secrets` check itself shows: at most its first four characters and its length.

Output masking errs towards hiding: format rules (a `ghp_` token, an `AKIA` key) mask on their
pattern alone, without the checksum or entropy tests that keep the scanner quiet on look-alikes;
generic rules (`password = ...`) keep their filters, or every code excerpt would be garbled.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

CACHED_STRINGS = 8192
CACHED_LENGTH = 512
"""Reports repeat short strings (rules, paths, summaries); long ones are masked each time."""


def mask_secrets(text: str) -> str:
    """`text` with every value a secrets rule recognises replaced by its masked form."""
    return _cached(text) if len(text) <= CACHED_LENGTH else _masked(text)


def _masked(text: str) -> str:
    # Imported here: a run without the gate must not load the checks (see test_plugin).
    from pytest_readiness.checks.secrets.names import is_secret_name
    from pytest_readiness.checks.secrets.scanner import lower, mask, rules_for, variable_name

    lowered = lower(text)
    rules = rules_for(lowered, text)
    if not rules:
        return text
    spans: list[tuple[int, int]] = []
    for rule in rules:
        subject = lowered if rule.on_lowered else text
        for match in rule.pattern.finditer(subject):
            start, end = match.span("secret")
            if rule.named and not is_secret_name(variable_name(rule, match, text)):
                continue
            if rule.generic and not rule.accepts(text[start:end]):
                continue
            if all(end <= taken or start >= other for taken, other in spans):
                spans.append((start, end))
    if not spans:
        return text
    pieces = []
    position = 0
    for start, end in sorted(spans):
        pieces.append(text[position:start])
        pieces.append(mask(text[start:end]))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


_cached = functools.lru_cache(maxsize=CACHED_STRINGS)(_masked)


def mask_tree(value: Any) -> Any:
    """Every string in a JSON-like value (keys included) masked; other values unchanged."""
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {mask_tree(key): mask_tree(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_tree(item) for item in value]
    return value


def mask_test_report(report: pytest.TestReport) -> None:
    """Mask what pytest itself prints and writes (FAILURES, short summary, JUnit) for a test.

    The node id is changed only when it holds a secret: a test named after a token then
    appears under its masked name in the terminal, the JUnit XML and the last-failed cache.
    """
    report.nodeid = mask_secrets(report.nodeid)
    if isinstance(report.longrepr, tuple):
        path, line, reason = report.longrepr
        report.longrepr = (mask_secrets(path), line, mask_secrets(reason))
    elif report.longrepr is not None:
        text = str(report.longrepr)
        masked = mask_secrets(text)
        if masked != text:
            report.longrepr = masked
    report.sections = [(title, mask_secrets(content)) for title, content in report.sections]
    report.user_properties = [
        (mask_secrets(name), mask_secrets(value) if isinstance(value, str) else value)
        for name, value in report.user_properties
    ]
