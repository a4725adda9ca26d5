"""The `shutdown` check: SIGTERM to a started service while requests are in flight."""

from pytest_readiness.checks.shutdown.check import ShutdownCheck

__all__ = ["ShutdownCheck"]
