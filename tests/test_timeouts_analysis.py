"""The timeouts analysis on sample code: each call form, aliases, retries, swallowed failures."""

from __future__ import annotations

import ast
import keyword
import textwrap
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.timeouts.analysis import ModuleAnalysis
from pytest_readiness.checks.timeouts.calls import CallTable


def analyse(source: str, *, subprocess: bool = False) -> list[dict[str, Any]]:
    table = CallTable.build(subprocess=subprocess, extra=[])
    return ModuleAnalysis(table).run(ast.parse(textwrap.dedent(source)))


def lines(source: str, rule: str = "missing-timeout", **options: bool) -> list[int]:
    return [finding["line"] for finding in analyse(source, **options) if finding["rule"] == rule]


@pytest.mark.parametrize(
    "call",
    [
        "import requests\nrequests.get(url)",
        "import requests\nrequests.post(url, json={})",
        "import requests\nrequests.request('GET', url)",
        "import requests.api\nrequests.api.delete(url)",
        "import httpx\nhttpx.get(url)",
        "import httpx\nhttpx.stream('GET', url)",
        "import httpx\nhttpx.Client()",
        "import httpx\nhttpx.AsyncClient(base_url=url)",
        "import urllib.request\nurllib.request.urlopen(url)",
        "import urllib.request\nurllib.request.urlopen(url, None)",
        "from urllib import request\nrequest.urlopen(url)",
        "import http.client\nhttp.client.HTTPConnection('h', 80)",
        "import http.client\nhttp.client.HTTPSConnection('h')",
        "import socket\nsocket.create_connection(('h', 80))",
        "import aiohttp\naiohttp.ClientSession()",
        "import aiohttp\naiohttp.request('GET', url)",
        "import smtplib\nsmtplib.SMTP('h', 25)",
        "import smtplib\nsmtplib.SMTP_SSL('h')",
        "import ftplib\nftplib.FTP('h')",
        "import poplib\npoplib.POP3('h')",
        "import imaplib\nimaplib.IMAP4('h')",
        "import urllib3\nurllib3.PoolManager()",
        "import requests\ns = requests.Session()\ns.get(url)",
        "import requests\nwith requests.Session() as s:\n    s.put(url)",
        "import requests\nrequests.Session().get(url)",
        "import requests\ns = requests.session()\ns.request('GET', url, None, None)",
        "import urllib.request\nopener = urllib.request.build_opener()\nopener.open(url)",
    ],
)
def test_each_call_form_without_a_timeout_is_reported(call: str) -> None:
    found = lines(call)

    assert found == [call.count("\n") + 1]


@pytest.mark.parametrize(
    "call",
    [
        "import requests\nrequests.get(url, timeout=5)",
        "import requests\nrequests.request('GET', url, timeout=(3.05, 30))",
        "import httpx\nhttpx.Client(timeout=10)",
        "import urllib.request\nurllib.request.urlopen(url, None, 5)",
        "import http.client\nhttp.client.HTTPConnection('h', 80, 5)",
        "import socket\nsocket.create_connection(('h', 80), 3)",
        "import smtplib\nsmtplib.SMTP('h', 25, None, 10)",
        "import ftplib\nftplib.FTP('h', 'u', 'p', '', 10)",
        "import aiohttp\naiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))",
        "import requests\ns = requests.Session()\ns.get(url, timeout=3)",
        "import requests\ns = requests.Session()\ns.request('GET', url, *rest)",
        "import httpx\nc = httpx.Client(timeout=5)\nc.get(url)",
        "import urllib.request\nopener = urllib.request.build_opener()\nopener.open(url, None, 5)",
    ],
)
def test_calls_with_a_timeout_are_not_reported(call: str) -> None:
    assert analyse(call) == []


@pytest.mark.parametrize(
    "call",
    [
        "import requests\nrequests.get(url, timeout=None)",
        "import httpx\nhttpx.Client(timeout=None)",
        "import httpx\nhttpx.Client(timeout=httpx.Timeout(None))",
        "import aiohttp\naiohttp.ClientSession(timeout=aiohttp.ClientTimeout())",
        "import urllib.request\nurllib.request.urlopen(url, None, None)",
        "import httpx\nc = httpx.Client(timeout=5)\nc.get(url, timeout=None)",
    ],
)
def test_timeout_none_counts_as_missing(call: str) -> None:
    findings = analyse(call)

    assert [finding["rule"] for finding in findings] == ["missing-timeout"]
    assert "None" in findings[0]["message"]


@pytest.mark.parametrize(
    "source",
    [
        "import requests as r\nr.get(url)",
        "from requests import get\nget(url)",
        "from requests import get as fetch\nfetch(url)",
        "from requests import Session as S\nS().get(url)",
        "import urllib.request as ur\nur.urlopen(url)",
        "from urllib.request import urlopen as open_url\nopen_url(url)",
        "import requests\nfetch = requests.get\nfetch(url)",
        "def f():\n    import requests as http\n    http.get(url)",
    ],
)
def test_import_aliases_are_resolved(source: str) -> None:
    assert lines(source) == [source.count("\n") + 1]


@given(
    alias=st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True).filter(
        lambda name: not keyword.iskeyword(name) and name != "url"
    )
)
def test_any_alias_of_requests_is_followed(alias: str) -> None:
    source = f"import requests as {alias}\n{alias}.get(url)\n{alias}.get(url, timeout=1)\n"

    assert lines(source) == [2]


@pytest.mark.parametrize(
    "source",
    [
        "def get(url):\n    return url\nget('http://x')",
        "d = {}\nd.get('key')",
        "import requests\nheaders = {}\nheaders.get('x')",
        "from requests import get\ndef get(key):\n    return key\nget('x')",
        "import requests\ndef f(requests):\n    requests.get(url)",
        "import requests\ndef f():\n    requests = Fake()\n    requests.get(url)",
        "import requests\nrequests.get(url, **options)",
        "from .client import get\nget(url)",
        "import httpx\nclient = make_client()\nclient.get(url)",
        "import subprocess\nsubprocess.run(['ls'])",
        "class A:\n    def f(self):\n        self.get(url)",
    ],
)
def test_look_alike_calls_are_not_reported(source: str) -> None:
    assert analyse(source) == []


def test_client_methods_are_known_through_self_attributes_and_annotations() -> None:
    source = """
        import requests

        class Api:
            def fetch(self):
                return self.http.get(url)

            def __init__(self):
                self.http = requests.Session()

        def use(session: requests.Session):
            session.post(url)
        """

    assert lines(source) == [6, 12]


def test_httpx_client_methods_rely_on_the_client_timeout() -> None:
    source = """
        import httpx
        with httpx.Client() as client:
            client.get(url)
        """

    assert lines(source) == [3]


def test_subprocess_is_checked_when_configured() -> None:
    source = """
        import subprocess
        subprocess.run(["ls"])
        subprocess.check_output(["ls"], timeout=5)
        process = subprocess.Popen(["ls"])
        process.communicate()
        process.wait(5)
        """

    assert lines(source, subprocess=True) == [3, 6]


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ("from urllib3.util.retry import Retry\nRetry(total=None)", "retries-unbounded"),
        ("from requests.adapters import Retry\nRetry(None)", "retries-unbounded"),
        ("import urllib3\nurllib3.Retry(total=0)", "retries-disabled"),
        ("import urllib3\nurllib3.Retry(False)", "retries-disabled"),
        (
            "from requests.adapters import HTTPAdapter\nHTTPAdapter(max_retries=0)",
            "retries-disabled",
        ),
        ("import httpx\nhttpx.HTTPTransport(retries=0)", "retries-disabled"),
        ("import tenacity\ntenacity.retry(wait=w)(f)", "retries-unbounded"),
        ("from tenacity import retry\n@retry\ndef f():\n    pass", "retries-unbounded"),
    ],
)
def test_disabled_or_unbounded_retries_are_medium_findings(source: str, rule: str) -> None:
    findings = analyse(source)

    assert [(finding["rule"], finding["severity"]) for finding in findings] == [(rule, "medium")]


@pytest.mark.parametrize(
    "source",
    [
        "from urllib3.util.retry import Retry\nRetry(total=None, connect=3, read=3)",
        "from urllib3.util.retry import Retry\nRetry(total=3)",
        "from urllib3.util.retry import Retry\nRetry()",
        "import tenacity\n@tenacity.retry(stop=tenacity.stop_after_attempt(3))\ndef f():\n    pass",
        "from requests.adapters import HTTPAdapter\nHTTPAdapter(max_retries=3)",
    ],
)
def test_bounded_retries_are_not_reported(source: str) -> None:
    assert analyse(source) == []


def test_broad_except_that_swallows_a_network_failure_is_reported() -> None:
    source = """
        import requests

        def ping():
            try:
                requests.get(url, timeout=3)
            except Exception:
                pass
            try:
                requests.get(url, timeout=3)
            except:
                return None
        """

    findings = analyse(source)

    assert [(f["rule"], f["line"], f["severity"]) for f in findings] == [
        ("swallowed-network-error", 7, "medium"),
        ("swallowed-network-error", 11, "medium"),
    ]


@pytest.mark.parametrize(
    "handler",
    [
        "except requests.RequestException:\n    pass",
        "except Exception:\n    log.warning('ping failed')",
        "except Exception:\n    raise",
    ],
)
def test_specific_or_handled_exceptions_are_not_reported(handler: str) -> None:
    source = f"import requests\ntry:\n    requests.get(url, timeout=3)\n{handler}\n"

    assert analyse(source) == []


def test_broad_except_around_local_code_is_not_reported() -> None:
    source = "try:\n    compute()\nexcept Exception:\n    pass\n"

    assert analyse(source) == []


def test_keys_identify_findings_by_scope_and_occurrence_not_line() -> None:
    first = analyse("import requests\ndef f():\n    requests.get(a)\n    requests.get(b)\n")
    moved = analyse("import requests\n\n\ndef f():\n    requests.get(a)\n    requests.get(b)\n")

    assert [finding["key"] for finding in first] == [finding["key"] for finding in moved]
    assert len({finding["key"] for finding in first}) == 2
    assert [finding["line"] for finding in moved] == [5, 6]
