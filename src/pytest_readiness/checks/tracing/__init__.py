"""`tracing`: OpenTelemetry set up and exporting (a static heuristic)."""

from pytest_readiness.checks.tracing.check import TracingCheck

__all__ = ["TracingCheck"]
