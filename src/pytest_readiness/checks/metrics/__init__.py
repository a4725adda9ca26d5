"""`metrics`: the service's Prometheus metrics, live, scraped before and after its own traffic."""

from pytest_readiness.checks.metrics.check import MetricsCheck

__all__ = ["MetricsCheck"]
