"""One entry point for both engines, used by the `load` check and the `load_test` fixture."""

from __future__ import annotations

from typing import Literal

from pytest_readiness.traffic.figures import LoadResult
from pytest_readiness.traffic.generator import (
    DEFAULT_LAG_BUDGET_MS,
    MemorySample,
    judge_generator,
    run_builtin,
)
from pytest_readiness.traffic.locust_engine import LocustOptions, available, run_locust
from pytest_readiness.traffic.scenario import Scenario

Engine = Literal["builtin", "locust"]


class EngineMissing(Exception):
    """The chosen engine is not installed."""


def run_load(
    scenario: Scenario,
    url: str,
    *,
    engine: Engine = "builtin",
    locust: LocustOptions | None = None,
    sample: MemorySample | None = None,
    lag_budget_ms: float | None = None,
) -> LoadResult:
    """Run `scenario` against `url`; `generator_problems` is non-empty when the run is void.

    Raises `StartupError` (from the runner) when locust itself fails, `EngineMissing` when
    locust is asked for and not installed.
    """
    if engine == "builtin":
        result = run_builtin(scenario, url, sample)
        judge_generator(result, DEFAULT_LAG_BUDGET_MS if lag_budget_ms is None else lag_budget_ms)
        return result
    if not available():
        raise EngineMissing(
            'engine = "locust" needs locust: pip install "pytest-readiness[locust]"'
        )
    return run_locust(scenario, url, locust or LocustOptions(), sample)
