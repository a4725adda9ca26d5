"""Whether a project is deployed as a service: checks about running services (alert rules,
tracing) apply to those and are skipped, with the reason, for libraries and tools."""

from __future__ import annotations

import re

from pytest_readiness.checks.operations.manifests import NOT_PRODUCTION
from pytest_readiness.files import ProjectFile, ProjectFiles, matches
from pytest_readiness.reading import read_text

CONTAINER_FILES = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "Containerfile", "Procfile")
WORKLOAD = re.compile(r"^kind:\s*(Deployment|StatefulSet|DaemonSet|Service)\s*$", re.MULTILINE)


def service_evidence(files: ProjectFiles) -> str | None:
    """The first file that shows the project runs as a service, or None."""
    for file in files.all:
        if matches(file.path, NOT_PRODUCTION):
            continue
        if matches(file.path.rsplit("/", 1)[-1], CONTAINER_FILES):
            return file.path
        if file.path.endswith((".yaml", ".yml")) and WORKLOAD.search(_text(file)):
            return file.path
    return None


def _text(file: ProjectFile) -> str:
    try:
        return read_text(file, errors="replace")
    except OSError:
        return ""  # too large or not a regular file: it says nothing about the project
