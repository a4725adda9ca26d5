"""Supply-chain checks: what the project depends on, pinned how, and with which known advisories."""

from pytest_readiness.checks.supply_chain.dependencies import DependenciesCheck
from pytest_readiness.checks.supply_chain.vulnerabilities import VulnerabilitiesCheck

__all__ = ["DependenciesCheck", "VulnerabilitiesCheck"]
