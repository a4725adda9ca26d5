"""Fetch and parse a Prometheus / OpenMetrics exposition, with `prometheus_client`'s parser.

The families are reduced to what the check compares between two scrapes: per family its type,
the summed value of each sample name, and the distinct values of each label.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field

MAX_BYTES = 8 << 20
"""A metrics page larger than this is cut off: the check needs names and counts, not all series."""
USER_AGENT = "pytest-readiness-metrics"


@dataclass
class Fetched:
    """One HTTP GET: the status and body, or why there was none."""

    url: str
    status: int | None = None
    body: bytes = b""
    error: str = ""
    elapsed_ms: float = 0.0

    @property
    def answered(self) -> bool:
        return self.status is not None

    def describe(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else self.error


def fetch(url: str, timeout_s: float) -> Fetched:
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            body = answer.read(MAX_BYTES)
            return Fetched(url, answer.status, body, elapsed_ms=_since(started))
    except urllib.error.HTTPError as error:
        return Fetched(url, error.code, error.read(MAX_BYTES), elapsed_ms=_since(started))
    except (OSError, ValueError) as error:
        return Fetched(url, error=f"{type(error).__name__}: {error}", elapsed_ms=_since(started))


def _since(started: float) -> float:
    return (time.monotonic() - started) * 1000


@dataclass
class Family:
    name: str
    type: str
    totals: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    """Sample name (`x_total`, `x_count`, `x_bucket`, ...) -> the sum over its series."""
    labels: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Label name -> every value it takes across the family's series."""
    series: int = 0


class NotParseable(ValueError):
    """The body is not the Prometheus text format (nor OpenMetrics)."""


def parse(body: bytes) -> dict[str, Family]:
    from prometheus_client.parser import text_string_to_metric_families

    text = body.decode("utf-8", errors="replace")
    families: dict[str, Family] = {}
    try:
        for parsed in text_string_to_metric_families(text):
            family = families.setdefault(parsed.name, Family(parsed.name, parsed.type))
            for sample in parsed.samples:
                family.totals[sample.name] += sample.value
                family.series += 1
                for label, value in sample.labels.items():
                    if label not in ("le", "quantile"):
                        family.labels[label].add(value)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise NotParseable(str(error) or type(error).__name__) from None
    return families
