"""CVSS v3 base scores from vector strings, for OSV records that carry no severity word.

PYSEC records in OSV often give only `severity: [{"type": "CVSS_V3", "score": "CVSS:3.1/..."}]`;
the base score formula of the CVSS v3.1 specification (section 7.1, with its `Roundup`) turns the
vector into a number and the specification's rating scale into a `Severity`.
"""

from __future__ import annotations

import math

from pytest_readiness.model import Severity

_WEIGHTS: dict[str, dict[str, float]] = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "PR": {"N": 0.85, "L": 0.62, "H": 0.27},
    "UI": {"N": 0.85, "R": 0.62},
    "S": {"U": 0.0, "C": 0.0},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_PRIVILEGES_CHANGED_SCOPE = {"L": 0.68, "H": 0.5}


def base_score(vector: str) -> float | None:
    """The base score of a `CVSS:3.x/...` vector, None when it is not a complete v3 vector."""
    parts = vector.strip().split("/")
    if not parts or not parts[0].startswith("CVSS:3."):
        return None
    metrics = dict(part.split(":", 1) for part in parts[1:] if ":" in part)
    if any(metrics.get(name) not in weights for name, weights in _WEIGHTS.items()):
        return None
    value = {name: _WEIGHTS[name][metrics[name]] for name in _WEIGHTS}
    changed = metrics["S"] == "C"
    if changed and metrics["PR"] in _PRIVILEGES_CHANGED_SCOPE:
        value["PR"] = _PRIVILEGES_CHANGED_SCOPE[metrics["PR"]]
    base_impact = 1 - (1 - value["C"]) * (1 - value["I"]) * (1 - value["A"])
    if changed:
        impact = 7.52 * (base_impact - 0.029) - 3.25 * (base_impact - 0.02) ** 15
    else:
        impact = 6.42 * base_impact
    if impact <= 0:
        return 0.0
    exploitability = 8.22 * value["AV"] * value["AC"] * value["PR"] * value["UI"]
    total = impact + exploitability
    return _roundup(min(1.08 * total if changed else total, 10.0))


def rating(score: float) -> Severity:
    """The specification's qualitative scale; a score of 0.0 ("none") counts as low."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    return Severity.LOW


def _roundup(value: float) -> float:
    """CVSS v3.1 Roundup: the smallest one-decimal number >= value, immune to float noise."""
    scaled = round(value * 100_000)
    if scaled % 10_000 == 0:
        return scaled / 100_000
    return (math.floor(scaled / 10_000) + 1) / 10.0
