"""The `metrics` check against a real service process with real prometheus_client metrics."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckError
from pytest_readiness.checks.metrics import MetricsCheck
from pytest_readiness.checks.metrics.settings import MetricsEntry
from pytest_readiness.files import ProjectFiles
from tests.secrets_samples import checksummed

SERVICE = Path(__file__).with_name("metrics_service.py")


def run(tmp_path: Path, mode: str, **options: object) -> tuple[set[str], dict[str, float], str]:
    entry = MetricsEntry(
        name=mode,
        url="http://127.0.0.1:{port}/metrics",
        command=f"{{python}} {SERVICE} {{port}} {mode}",
        requests=8,
        distinct_paths=6,
        **options,  # type: ignore[arg-type]
    )
    entry.validate()
    ctx = CheckContext(rootdir=tmp_path, files=ProjectFiles(tmp_path), cache=ContentCache(None))
    result = MetricsCheck(entry, param=mode).run(ctx)
    return {finding.rule for finding in result.findings}, result.metrics, result.summary


def test_a_good_service_passes(tmp_path: Path) -> None:
    rules, metrics, summary = run(tmp_path, "good", required=["llm_tokens"])
    assert rules == set()
    assert metrics["families"] >= 3
    assert metrics["series"] > 10
    assert "scrape" in summary
    assert re.search(r"at http://127\.0\.0\.1:\d+/metrics ", summary), summary


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("no-metrics", {"no-metrics-endpoint"}),
        ("garbage", {"not-parseable"}),
        ("silent", {"metrics-not-live"}),
        ("raw-path", {"unbounded-labels"}),
        ("no-histogram", {"missing-red"}),
    ],
)
def test_each_flaw_is_its_finding(tmp_path: Path, mode: str, expected: set[str]) -> None:
    rules, _, _ = run(tmp_path, mode)
    assert rules == expected


def test_a_secret_in_a_label_is_critical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = checksummed("ghp_", random.Random(7))
    monkeypatch.setenv("BUILD_TOKEN", token)
    entry = MetricsEntry(name="s", url="http://127.0.0.1:{port}/metrics",
                         command=f"{{python}} {SERVICE} {{port}} secret", requests=2,
                         distinct_paths=0)  # fmt: skip
    ctx = CheckContext(rootdir=tmp_path, files=ProjectFiles(tmp_path), cache=ContentCache(None))
    result = MetricsCheck(entry, param="s").run(ctx)
    secret = [f for f in result.findings if f.rule == "secret-in-metrics"]
    assert len(secret) == 1
    assert secret[0].severity.value == "critical"
    assert token not in secret[0].message


def test_missing_required_business_metric(tmp_path: Path) -> None:
    rules, _, _ = run(tmp_path, "good", required=["llm_cost_dollars"])
    assert rules == {"missing-required"}


def test_a_service_that_dies_is_an_error_quoting_its_output_without_secrets(
    tmp_path: Path,
) -> None:
    token = checksummed("ghp_", random.Random(11))
    script = "import os; print('token', os.environ['APP_TOKEN']); print('no config'); exit(3)"
    entry = MetricsEntry(name="dead", url="http://127.0.0.1:{port}/metrics",
                         command=f"{sys.executable} -c \"{script}\"",
                         env={"APP_TOKEN": token})  # fmt: skip
    ctx = CheckContext(rootdir=tmp_path, files=ProjectFiles(tmp_path), cache=ContentCache(None))
    with pytest.raises(CheckError, match="exited with status 3") as raised:
        MetricsCheck(entry, param="dead").run(ctx)
    assert "no config" in str(raised.value)
    assert token not in str(raised.value)
    assert "line withheld" in str(raised.value)


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="needs a `command`"):
        MetricsEntry(name="x", url="http://127.0.0.1:{port}/metrics").validate()
    with pytest.raises(ValueError, match="not a regex"):
        MetricsEntry(name="x", url="http://h/metrics", duration="(").validate()
