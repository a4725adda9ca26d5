"""Registers the built-in checks through the same hook third-party packages use."""

from __future__ import annotations

import pytest

from pytest_readiness.check import Check
from pytest_readiness.checks.alerts import AlertsCheck
from pytest_readiness.checks.coverage.check import CoverageCheck
from pytest_readiness.checks.health import HealthCheck
from pytest_readiness.checks.insecure_code import BanditCheck
from pytest_readiness.checks.load import LoadCheck
from pytest_readiness.checks.metrics import MetricsCheck
from pytest_readiness.checks.operations.container import ContainerCheck
from pytest_readiness.checks.operations.kubernetes import KubernetesCheck
from pytest_readiness.checks.operations.logging import LoggingCheck
from pytest_readiness.checks.operations.runbook import RunbookCheck
from pytest_readiness.checks.pipelines import PipelinesCheck
from pytest_readiness.checks.project_metadata import ProjectMetadataCheck
from pytest_readiness.checks.review import ReviewCheck
from pytest_readiness.checks.secrets.check import SecretsCheck
from pytest_readiness.checks.shutdown import ShutdownCheck
from pytest_readiness.checks.supply_chain import (
    DependenciesCheck,
    LicensesCheck,
    VulnerabilitiesCheck,
)
from pytest_readiness.checks.tests_pass import TestsPassCheck
from pytest_readiness.checks.timeouts import TimeoutsCheck
from pytest_readiness.checks.tracing import TracingCheck


@pytest.hookimpl
def pytest_readiness_checks() -> list[type[Check]]:
    return [
        CoverageCheck,
        ProjectMetadataCheck,
        TestsPassCheck,
        BanditCheck,
        TimeoutsCheck,
        HealthCheck,
        ShutdownCheck,
        LoadCheck,
        RunbookCheck,
        ContainerCheck,
        KubernetesCheck,
        LoggingCheck,
        DependenciesCheck,
        VulnerabilitiesCheck,
        LicensesCheck,
        PipelinesCheck,
        SecretsCheck,
        ReviewCheck,
        MetricsCheck,
        AlertsCheck,
        TracingCheck,
    ]
