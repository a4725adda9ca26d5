"""Supply-chain checks: what the project depends on, pinned how, under which licences, and with
which known advisories."""

from pytest_readiness.checks.supply_chain.dependencies import DependenciesCheck
from pytest_readiness.checks.supply_chain.licenses import LicensesCheck
from pytest_readiness.checks.supply_chain.vulnerabilities import VulnerabilitiesCheck

__all__ = ["DependenciesCheck", "LicensesCheck", "VulnerabilitiesCheck"]
