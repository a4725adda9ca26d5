"""`alerts`: Prometheus alert rules that exist, parse, cover the service and point at a runbook."""

from pytest_readiness.checks.alerts.check import AlertsCheck

__all__ = ["AlertsCheck"]
