"""The `bandit` check: insecure code patterns in the project's source, found by bandit."""

from pytest_readiness.checks.insecure_code.check import BanditCheck

__all__ = ["BanditCheck"]
