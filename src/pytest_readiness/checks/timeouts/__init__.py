"""The `timeouts` check: outbound calls without timeouts, unbounded retries, swallowed failures."""

from pytest_readiness.checks.timeouts.check import TimeoutsCheck

__all__ = ["TimeoutsCheck"]
