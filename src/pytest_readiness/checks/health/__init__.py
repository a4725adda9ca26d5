"""The `health` check: start the service, probe liveness and readiness, hold latency budgets."""

from pytest_readiness.checks.health.check import HealthCheck
from pytest_readiness.checks.health.settings import HealthEntry

__all__ = ["HealthCheck", "HealthEntry"]
