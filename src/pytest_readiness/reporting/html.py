"""`--readiness-html PATH`: the self-contained dashboard, one file that works offline.

It reads the same report as every other writer (so it is masked by construction), plus the
runs of `--readiness-history` for the trend. No script, no stylesheet or font from elsewhere:
everything is inline, so it opens from a CI artefact or an e-mail attachment as it is.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from pytest_readiness.reporting import svg
from pytest_readiness.reporting.history import append_history, read_history

VERDICT_COLOUR = {"ready": "#2e7d32", "ready-with-risks": "#ef8f00", "not-ready": "#c62828"}
STATUS_COLOUR = {
    "proven": "#2e7d32",
    "attested": "#00897b",
    "waived": "#f9a825",
    "failed": "#c62828",
    "missing": "#9e9e9e",
    "not-applicable": "#d8d8d8",
}
QUANTILES = ("p50_ms", "p95_ms", "p99_ms", "max_ms")
COVERAGE_SERIES = "coverage_percent_by_file"
SHOWN_FILES = 25
STYLE = """
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{margin:0 0 8px}h2{margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
.verdict{display:inline-block;padding:6px 14px;border-radius:6px;color:#fff;font-weight:700}
table{border-collapse:collapse;width:100%}td,th{padding:4px 8px;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}.passed{color:#2e7d32}.failed,.error{color:#c62828}
.skipped{color:#777}.fix{color:#555;font-size:90%}details summary{cursor:pointer}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;
height:10px;margin-right:4px}code{background:#f4f4f4;padding:0 3px}
"""


def write_dashboard(
    report: Mapping[str, Any], history_path: Path | None, html_path: Path | None
) -> None:
    """Append this run to the history first, so the dashboard's trend ends with it."""
    if history_path is not None:
        append_history(history_path, report, datetime.datetime.now(datetime.UTC))
    if html_path is not None:
        runs = read_history(history_path) if history_path is not None else []
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_html(report, runs), "utf-8")


def render_html(report: Mapping[str, Any], history: Sequence[Mapping[str, Any]] = ()) -> str:
    verdict = str(report["verdict"])
    body = [
        f'<h1>Readiness: <span class="verdict" id="verdict" style="background:'
        f'{VERDICT_COLOUR.get(verdict, "#555")}">{escape(verdict.upper())}</span></h1>',
        _overview(report),
        _reasons(report),
        _review(report.get("review")),
        _latency(report["checks"]),
        _coverage(report["checks"]),
        _trend(history),
        _checks(report["checks"]),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>Readiness: {escape(verdict)}</title><style>{STYLE}</style></head><body>"
        + "".join(part for part in body if part)
        + "</body></html>\n"
    )


def _overview(report: Mapping[str, Any]) -> str:
    tests = report["tests"]
    counts = ", ".join(f"{value} {name}" for name, value in tests.items())
    return (
        f"<p>exit status {int(report['exit_status'])} &middot; {float(report['duration_s']):g} s "
        f"&middot; tests: {escape(counts)} &middot; {len(report['checks'])} check(s)</p>"
    )


def _reasons(report: Mapping[str, Any]) -> str:
    reasons = report.get("reasons") or []
    if not reasons:
        return ""
    items = "".join(f"<li>{escape(str(reason))}</li>" for reason in reasons)
    return f'<h2>Why</h2><ul id="reasons">{items}</ul>'


def _review(review: Mapping[str, Any] | None) -> str:
    if not review:
        return ""
    rows = [(area["title"], _segments(area["counts"])) for area in review["areas"]]
    legend = "".join(
        f'<span><i style="background:{colour}"></i>{escape(name)}</span>'
        for name, colour in STATUS_COLOUR.items()
    )
    sections = "".join(_review_section(section) for section in review["sections"])
    return (
        f"<h2>Review ({escape(str(review['profile']))} profile): "
        f"{escape(str(review['status']))}</h2>"
        f'<div id="scorecard">{svg.stacked_bars(rows)}</div>'
        f'<p class="legend">{legend}</p>{sections}'
    )


def _segments(counts: Mapping[str, int]) -> list[tuple[str, int, str]]:
    return [(name, int(counts.get(name, 0)), colour) for name, colour in STATUS_COLOUR.items()]


def _review_section(section: Mapping[str, Any]) -> str:
    rows = "".join(
        f'<tr><td style="color:{STATUS_COLOUR.get(item["status"], "#555")}">'
        f"{escape(item['status'])}</td><td><code>{escape(item['id'])}</code></td>"
        f"<td>{escape(item['says'])}{_problem(item)}</td><td>{_evidence(item['evidence'])}</td></tr>"
        for item in section["items"]
    )
    counts = ", ".join(f"{value} {name}" for name, value in section["counts"].items() if value)
    return (
        f"<details><summary>{escape(section['title'])} ({escape(section['priority'])}): "
        f"{escape(counts)}</summary><table>{rows}</table></details>"
    )


def _problem(item: Mapping[str, Any]) -> str:
    return f'<div class="fix">{escape(item["problem"])}</div>' if item.get("problem") else ""


def _evidence(evidence: Sequence[Mapping[str, Any]]) -> str:
    shown = []
    for entry in evidence:
        if entry["kind"] == "attestation":
            shown.append(
                f"attested by {escape(str(entry['by']))} on {escape(str(entry['date']))}, "
                f"until {escape(str(entry['expires']))}"
            )
        else:
            shown.append(f"{escape(str(entry['nodeid']))}: {escape(str(entry['outcome']))}")
    return "<br>".join(shown)


def _latency(checks: Sequence[Mapping[str, Any]]) -> str:
    charts = []
    for check in checks:
        metrics = check.get("metrics", {})
        values = [(name.removesuffix("_ms"), float(metrics[name])) for name in QUANTILES
                  if name in metrics]  # fmt: skip
        if len(values) >= 2:
            charts.append(f"<h3>{escape(check['nodeid'])}</h3>{svg.bars(values, 'ms', '#6a4c93')}")
    return f'<h2>Latency</h2><div id="latency">{"".join(charts)}</div>' if charts else ""


def _coverage(checks: Sequence[Mapping[str, Any]]) -> str:
    """The least covered files first: where a reviewer would look."""
    for check in checks:
        files = check.get("series", {}).get(COVERAGE_SERIES)
        if files:
            ordered = sorted(files.items(), key=lambda item: (item[1], item[0]))
            values = [(str(path), float(percent)) for path, percent in ordered[:SHOWN_FILES]]
            note = (
                f"<p>the {SHOWN_FILES} least covered of {len(files)} files</p>"
                if len(files) > SHOWN_FILES
                else ""
            )
            return (
                f'<h2>Coverage per file</h2>{note}<div id="coverage">{svg.bars(values, "%")}</div>'
            )
    return ""


def _trend(history: Sequence[Mapping[str, Any]]) -> str:
    if not history:
        return ""
    points = [
        (
            str(run["time"])[:16],
            float(sum(run["findings"].values())),
            VERDICT_COLOUR.get(str(run["verdict"]), "#555"),
        )
        for run in history
    ]
    return (
        f"<h2>Trend over the last {len(points)} run(s)</h2><p>open findings per run; the dot's "
        f'colour is the verdict</p><div id="trend">{svg.trend(points, "findings")}</div>'
    )


def _checks(checks: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for check in checks:
        findings = [f for f in check["findings"] if not f.get("waived")]
        details = "".join(
            f"<li><b>{escape(f['severity'])}</b> {escape(f['rule'])} "
            f"{escape(_place(f))}: {escape(f['message'])}"
            + (f'<div class="fix">fix: {escape(f["fix"])}</div>' if f.get("fix") else "")
            + "</li>"
            for f in findings
        )
        listed = (
            f"<details><summary>{len(findings)} finding(s)</summary><ul>{details}</ul></details>"
            if findings
            else ""
        )
        rows.append(
            f'<tr><td class="{escape(check["outcome"])}">{escape(check["outcome"])}</td>'
            f"<td>{escape(check['nodeid'])}</td><td>{escape(check['severity'])}</td>"
            f"<td>{escape(check.get('summary', ''))}{listed}</td></tr>"
        )
    return f'<h2>Checks</h2><table id="checks">{"".join(rows)}</table>'


def _place(finding: Mapping[str, Any]) -> str:
    if not finding.get("path"):
        return ""
    line = finding.get("line")
    return f"{finding['path']}:{line}" if line else str(finding["path"])
