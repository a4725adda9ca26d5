"""Registers the built-in checks through the same hook third-party packages use."""

from __future__ import annotations

import pytest

from pytest_readiness.check import Check
from pytest_readiness.checks.coverage.check import CoverageCheck
from pytest_readiness.checks.health import HealthCheck
from pytest_readiness.checks.insecure_code import BanditCheck
from pytest_readiness.checks.operations.container import ContainerCheck
from pytest_readiness.checks.operations.kubernetes import KubernetesCheck
from pytest_readiness.checks.operations.logging import LoggingCheck
from pytest_readiness.checks.operations.runbook import RunbookCheck
from pytest_readiness.checks.pipelines import PipelinesCheck
from pytest_readiness.checks.project_metadata import ProjectMetadataCheck
from pytest_readiness.checks.secrets.check import SecretsCheck
from pytest_readiness.checks.supply_chain import DependenciesCheck, VulnerabilitiesCheck
from pytest_readiness.checks.tests_pass import TestsPassCheck
from pytest_readiness.checks.timeouts import TimeoutsCheck


@pytest.hookimpl
def pytest_readiness_checks() -> list[type[Check]]:
    return [
        CoverageCheck,
        ProjectMetadataCheck,
        TestsPassCheck,
        BanditCheck,
        TimeoutsCheck,
        HealthCheck,
        RunbookCheck,
        ContainerCheck,
        KubernetesCheck,
        LoggingCheck,
        DependenciesCheck,
        VulnerabilitiesCheck,
        PipelinesCheck,
        SecretsCheck,
    ]
