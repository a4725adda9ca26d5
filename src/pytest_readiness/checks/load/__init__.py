"""The `load` check: the service under steady traffic, judged like k6 thresholds."""

from pytest_readiness.checks.load.check import LoadCheck
from pytest_readiness.checks.load.settings import LoadEntry, LoadRequest

__all__ = ["LoadCheck", "LoadEntry", "LoadRequest"]
