"""The HTML dashboard: self-contained, escaped, and rendering in a real headless Chromium."""

from __future__ import annotations

import datetime
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.catalogue import load_catalogue
from pytest_readiness.model import Category, CheckRecord, Outcome, Severity
from pytest_readiness.reporting.history import append_history, read_history
from pytest_readiness.reporting.html import render_html
from pytest_readiness.review import ReviewInput, assess, summary
from tests.reporting_samples import load_sample

WHEN = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def dashboard_report(tmp_path: Path) -> dict[str, Any]:
    report = load_sample()
    health = next(check for check in report["checks"] if check["id"] == "health")
    health["metrics"] = {"p50_ms": 1.8, "p95_ms": 2.4, "p99_ms": 3.0, "max_ms": 4.1}
    coverage = next(check for check in report["checks"] if check["id"] == "coverage")
    coverage["series"] = {"coverage_percent_by_file": {"src/app.py": 91.0, "src/db.py": 62.5}}
    records = [CheckRecord("timeouts", "readiness::timeouts", Category.RELIABILITY, Severity.HIGH,
                           Outcome.PASSED)]  # fmt: skip
    given = ReviewInput(load_catalogue(), "service", records, [], {}, WHEN.date(), tmp_path)
    report["review"] = summary(load_catalogue(), "service", assess(given))
    return report


def test_everything_is_inline_and_escaped(tmp_path: Path) -> None:
    report = dashboard_report(tmp_path)
    report["reasons"].append("<script>alert(1)</script>")
    page = render_html(report)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "nothing may be fetched"
    assert "default-src 'none'" in page
    assert page.count("<svg") == 3  # scorecard, latency, coverage (no history given)


def test_trend_appears_with_history(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    for day in range(3):
        append_history(path, load_sample(), WHEN + datetime.timedelta(days=day))
    page = render_html(dashboard_report(tmp_path), read_history(path))
    assert "Trend over the last 3 run(s)" in page
    assert page.count("<circle") == 3


def playwright_api() -> Any:
    """Playwright drives the browser; in CI it must be there, elsewhere its absence skips."""
    if os.environ.get("CI"):
        from playwright import sync_api

        return sync_api
    return pytest.importorskip("playwright.sync_api")


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="no Chromium here")
def test_renders_in_headless_chromium_without_console_errors(tmp_path: Path) -> None:
    assert CHROMIUM is not None, "CI installs Debian's chromium; it is missing"
    sync_api = playwright_api()
    path = tmp_path / "history.jsonl"
    for day in range(3):
        append_history(path, load_sample(), WHEN + datetime.timedelta(days=day))
    html = tmp_path / "readiness.html"
    html.write_text(render_html(dashboard_report(tmp_path), read_history(path)), "utf-8")
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("request", lambda r: problems.append(r.url) if r.url != html.as_uri() else None)
            page.goto(html.as_uri())
            assert page.inner_text("#verdict") == load_sample()["verdict"].upper()
            for chart in ("#scorecard svg", "#latency svg", "#coverage svg", "#trend svg"):
                box = page.locator(chart).first.bounding_box()
                assert box is not None, chart
                assert box["width"] > 300, chart
                assert box["height"] > 20, chart
            assert page.locator("#scorecard rect").count() >= 8
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000


def test_coverage_shows_the_least_covered_files_first(tmp_path: Path) -> None:
    report = dashboard_report(tmp_path)
    coverage = next(check for check in report["checks"] if check["id"] == "coverage")
    files = {f"src/m{index:02d}.py": float(index) for index in range(40)}
    coverage["series"] = {"coverage_percent_by_file": files}
    page = render_html(report)
    assert "the 25 least covered of 40 files" in page
    assert "src/m00.py" in page
    assert "src/m24.py" in page
    assert "src/m25.py" not in page
