"""The `coverage` check: measured test coverage, combined across pytest-xdist workers, gated."""

from pytest_readiness.checks.coverage.check import CoverageCheck
from pytest_readiness.checks.coverage.settings import CoverageSettings

__all__ = ["CoverageCheck", "CoverageSettings"]
