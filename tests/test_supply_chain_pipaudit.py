"""pip-audit run for real against OSV servers on 127.0.0.1: vulnerable, clean, down, broken.

No test here needs the internet: the OSV API is a small local server, and "no network" is a
closed local port (for the OSV service) or an unreachable proxy (for the PyPI service).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.check import CheckError
from pytest_readiness.checks.supply_chain.pipaudit import AuditRequest, audit, reconcile

JINJA_ADVISORY = {
    "id": "GHSA-h75v-3vvj-5mfj",
    "aliases": ["CVE-2024-34064"],
    "summary": "Jinja vulnerable to HTML attribute injection",
    "modified": "2024-05-06T00:00:00Z",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "jinja2"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.1.4"}]}],
        }
    ],
}


class FakeOsv(BaseHTTPRequestHandler):
    """Answers OSV `/v1/query` like api.osv.dev: vulns for jinja2 below 3.1.4, else `{}`."""

    status = 200

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        vulnerable = query["package"]["name"] == "jinja2" and query["version"] < "3.1.4"
        body = json.dumps({"vulns": [JINJA_ADVISORY]} if vulnerable else {}).encode()
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def osv_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOsv)
    server.status = 200  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(url: str, tmp_path: Path, service: str = "osv") -> AuditRequest:
    return AuditRequest(
        service=service,  # type: ignore[arg-type]
        osv_url=url,
        timeout_s=2,
        cache_dir=tmp_path / "cache",
    )


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/v1/query"


def test_real_pip_audit_reports_vulnerable_and_clean_pins(
    osv_server: ThreadingHTTPServer, tmp_path: Path
) -> None:
    pins = [("Jinja2", "3.1.3"), ("six", "1.16.0"), ("bad", "2.*")]
    outcome = audit(pins, request(url_of(osv_server), tmp_path))
    assert set(outcome.advisories) == {"Jinja2==3.1.3", "six==1.16.0"}
    (advisory,) = outcome.advisories["Jinja2==3.1.3"]
    assert {advisory.id, *advisory.aliases} == {"GHSA-h75v-3vvj-5mfj", "CVE-2024-34064"}
    assert advisory.fixed == ("3.1.4",)
    assert advisory.summary == "Jinja vulnerable to HTML attribute injection"
    assert outcome.advisories["six==1.16.0"] == []
    assert outcome.not_audited == {"bad==2.*": "not a PEP 440 version"}


def test_osv_service_down_is_an_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1/query"
    with pytest.raises(
        CheckError, match=r"^pip-audit \(exit 1\) wrote no JSON report: .*Connection refused"
    ):
        audit([("six", "1.16.0")], request(url, tmp_path))


def test_osv_server_error_is_an_error(osv_server: ThreadingHTTPServer, tmp_path: Path) -> None:
    osv_server.status = 503  # type: ignore[attr-defined]
    with pytest.raises(CheckError, match=r"wrote no JSON report: .*ServiceError"):
        audit([("six", "1.16.0")], request(url_of(osv_server), tmp_path))


def test_pypi_service_without_network_fails_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default PyPI service behind an unreachable proxy: no network, and no pass."""
    proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CheckError, match="pip-audit"):
        audit([("six", "1.16.0")], request("", tmp_path, service="pypi"))


def test_nothing_valid_to_audit_runs_nothing(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1/query"
    outcome = audit([("x", "===weird")], request(url, tmp_path))
    assert outcome.not_audited == {"x=====weird": "not a PEP 440 version"}


def test_skips_and_missing_entries_are_not_audited() -> None:
    """pip-audit's JSON as it writes it when it could not look a package up."""
    report = [
        {"name": "six", "version": "1.16.0", "vulns": []},
        {"name": "requests", "skip_reason": "Dependency not found on PyPI"},
        {"name": "extra", "version": "9.9", "vulns": []},
    ]
    pins = [("six", "1.16"), ("Requests", "2.32.3"), ("idna", "3.7")]
    outcome = reconcile(pins, report)
    assert outcome.advisories == {"six==1.16": []}
    assert outcome.not_audited == {
        "Requests==2.32.3": "skipped by pip-audit: Dependency not found on PyPI",
        "idna==3.7": "missing from pip-audit's report",
    }
