"""The `tracing` heuristic: an OpenTelemetry runtime dependency and an exporter configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckSkipped
from pytest_readiness.checks.tracing import TracingCheck
from pytest_readiness.checks.tracing.check import TracingSettings
from pytest_readiness.files import ProjectFiles

PYPROJECT = '[project]\nname = "shop"\nversion = "1"\ndependencies = [{deps}]\n'


def findings(root: Path) -> set[str]:
    if not (root / "Procfile").exists():
        write(root, "Procfile", "web: gunicorn shop:app\n")
    ctx = CheckContext(rootdir=root, files=ProjectFiles(root), cache=ContentCache(None))
    result = TracingCheck(TracingSettings()).run(ctx)
    assert all(f.severity.value == "low" for f in result.findings)
    return {finding.rule for finding in result.findings}


def test_a_library_is_not_asked_for_tracing(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", PYPROJECT.format(deps='"attrs"'))
    ctx = CheckContext(rootdir=tmp_path, files=ProjectFiles(tmp_path), cache=ContentCache(None))
    with pytest.raises(CheckSkipped, match="runs as a service"):
        TracingCheck(TracingSettings()).run(ctx)


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_nothing_set_up(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", PYPROJECT.format(deps='"flask>=3"'))
    assert findings(tmp_path) == {"no-tracing", "no-exporter"}


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("deploy/k8s.yaml", "env:\n  - name: OTEL_EXPORTER_OTLP_ENDPOINT\n    value: http://c:4317\n"),
        ("Dockerfile", 'FROM python:3.12\nCMD ["opentelemetry-instrument", "gunicorn", "a:b"]\n'),
        ("src/shop/telemetry.py", "from opentelemetry.exporter.otlp import OTLPSpanExporter\n"),
    ],
)  # fmt: skip
def test_sdk_and_exporter(tmp_path: Path, where: str, text: str) -> None:
    write(tmp_path, "pyproject.toml", PYPROJECT.format(deps='"Flask", "opentelemetry-distro"'))
    write(tmp_path, where, text)
    assert findings(tmp_path) == set()


def test_requirements_file_counts_and_dev_files_do_not(tmp_path: Path) -> None:
    write(tmp_path, "requirements-dev.txt", "opentelemetry-sdk==1.30.0\n")
    write(tmp_path, "deploy/k8s.yaml", "OTEL_TRACES_EXPORTER: otlp\n")
    assert findings(tmp_path) == {"no-tracing"}
    write(tmp_path, "requirements.txt", "opentelemetry_instrumentation_flask==0.51b0\n")
    assert findings(tmp_path) == set()


def test_an_exporter_only_in_tests_does_not_count(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", PYPROJECT.format(deps='"opentelemetry-sdk"'))
    write(tmp_path, "tests/test_trace.py", "from opentelemetry.exporter.otlp import x\n")
    assert findings(tmp_path) == {"no-exporter"}
