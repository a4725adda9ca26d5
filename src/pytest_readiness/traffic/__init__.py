"""Load generation without pytest: scenarios, the engines, latency histograms and thresholds.

Used by the `load` check and the `load_test` fixture alike.
"""

from pytest_readiness.traffic.figures import LoadResult
from pytest_readiness.traffic.histogram import Histogram
from pytest_readiness.traffic.locust_engine import LocustOptions
from pytest_readiness.traffic.run import EngineMissing, run_load
from pytest_readiness.traffic.scenario import RequestSpec, Scenario
from pytest_readiness.traffic.thresholds import Breach, Thresholds, Unmeasurable, breaches

__all__ = [
    "Breach",
    "EngineMissing",
    "Histogram",
    "LoadResult",
    "LocustOptions",
    "RequestSpec",
    "Scenario",
    "Thresholds",
    "Unmeasurable",
    "breaches",
    "run_load",
]
