"""Alert rules from Prometheus rule files and PrometheusRule manifests, with their lines.

A rule file has top-level `groups:`; a Kubernetes `PrometheusRule` (prometheus-operator) has the
same groups under `spec:`. Both are read with the manifests loader, which remembers the line of
every key, so each finding points at the rule itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_readiness.checks.operations.manifests import LocatedMap


@dataclass(frozen=True)
class AlertRule:
    name: str
    expr: str
    group: str
    index: int
    """1-based position in its group, counting recording rules too (as promtool does)."""
    line: int
    for_: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleGroup:
    name: str
    rules: list[dict[str, Any]]
    """The raw rules, alerts and recordings, as promtool needs them."""


def groups_of(document: Any) -> list[LocatedMap] | None:
    """The rule groups of one YAML document, or None when it holds no alert rules."""
    if not isinstance(document, LocatedMap):
        return None
    if document.get("kind") == "PrometheusRule":
        spec = document.get("spec")
        document = spec if isinstance(spec, LocatedMap) else LocatedMap()
    groups = document.get("groups")
    if not isinstance(groups, list):
        return None
    return [group for group in groups if isinstance(group, LocatedMap)]


def alert_rules(groups: list[LocatedMap]) -> Iterator[AlertRule]:
    for group in groups:
        rules = group.get("rules")
        if not isinstance(rules, list):
            continue
        for index, rule in enumerate(rules, start=1):
            if not isinstance(rule, LocatedMap) or "alert" not in rule:
                continue
            yield AlertRule(
                name=str(rule.get("alert")),
                expr=str(rule.get("expr", "")),
                group=str(group.get("name", "")),
                index=index,
                line=rule.line_of("alert"),
                for_=str(rule.get("for", "") or ""),
                labels=_strings(rule.get("labels")),
                annotations=_strings(rule.get("annotations")),
            )


def plain_groups(groups: list[LocatedMap]) -> list[dict[str, Any]]:
    """The groups as plain data, for a rules file that promtool can read."""
    return [_plain(group) for group in groups]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(key): str(item) for key, item in value.items()}
