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
        "except Exception:\n    log.warning('ping failed')",
        "except Exception:\n    raise",
        "except requests.Timeout:\n    continue",
        "except asyncio.CancelledError:\n    return",
        "except (KeyboardInterrupt, SystemExit):\n    pass",
    ],
)
def test_handled_or_retried_exceptions_are_not_reported(handler: str) -> None:
    body = textwrap.indent(f"try:\n    requests.get(url, timeout=3)\n{handler}\n", "    ")
    source = f"import requests\nfor attempt in range(3):\n{body}"

    assert analyse(source) == []


def test_a_specific_network_error_silenced_is_reported_with_its_class() -> None:
    source = """
        import requests
        try:
            requests.get(url, timeout=3)
        except requests.Timeout:
            pass
        """

    [finding] = analyse(source)

    assert finding["rule"] == "swallowed-network-error"
    assert "`except requests.Timeout:`" in finding["message"]


def test_broad_except_around_local_code_is_not_reported() -> None:
    source = "try:\n    compute()\nexcept Exception:\n    pass\n"

    assert analyse(source) == []


def test_keys_identify_findings_by_scope_and_occurrence_not_line() -> None:
    first = analyse("import requests\ndef f():\n    requests.get(a)\n    requests.get(b)\n")
    moved = analyse("import requests\n\n\ndef f():\n    requests.get(a)\n    requests.get(b)\n")

    assert [finding["key"] for finding in first] == [finding["key"] for finding in moved]
    assert len({finding["key"] for finding in first}) == 2
    assert [finding["line"] for finding in moved] == [5, 6]


@pytest.mark.parametrize(
    "assignment",
    [
        "requests.adapters.DEFAULT_RETRIES = 3",
        "s.auth = ('user', 'pass')",
        "s.headers['X-Token'] = token",
        "s.mount('https://', adapter)",
        "aiohttp.hdrs.X = 'y'",
        "s.verify, other = False, 1",
    ],
)
def test_assigning_to_an_attribute_or_key_keeps_what_a_name_is(assignment: str) -> None:
    source = f"""
        import aiohttp
        import requests
        import requests.adapters

        def main():
            s = requests.Session()
            {assignment}
            s.get(url)
            requests.get(url)
        """

    assert lines(source) == [9, 10]


@pytest.mark.parametrize(
    "source",
    [
        "from aiohttp.client import ClientSession\nClientSession()",
        "from aiohttp.client import ClientSession\nasync def f():\n"
        "    async with ClientSession(timeout=t) as s:\n        await s.get(u, timeout=None)",
        "from httpx._client import Client\nClient(timeout=None)",
        "from redis.client import Redis\nRedis()",
    ],
)
def test_submodule_imports_of_clients_are_recognised(source: str) -> None:
    assert len(lines(source)) == 1


@pytest.mark.parametrize(
    ("source", "default", "severity"),
    [
        ("import httpx\nhttpx.get(url)", "httpx's default of 5 s", "low"),
        ("import httpx\nhttpx.Client()", "httpx's default of 5 s", "low"),
        ("import aiohttp\naiohttp.ClientSession()", "5 minutes in total", "medium"),
        ("import openai\nopenai.OpenAI()", "openai's default of 10 minutes", "medium"),
        ("from anthropic import Anthropic\nAnthropic()", "anthropic's default of 10 min", "medium"),
        ("import boto3\nboto3.client('s3')", "botocore's defaults of 60 s", "low"),
        ("import boto3\nboto3.Session().client('s3')", "botocore's defaults of 60 s", "low"),
    ],
)
def test_clients_with_a_default_say_what_it_is_at_a_matching_severity(
    source: str, default: str, severity: str
) -> None:
    [finding] = analyse(source)

    assert default in finding["message"]
    assert "forever" not in finding["message"]
    assert finding["severity"] == severity


@pytest.mark.parametrize(
    ("source", "reported"),
    [
        ("import redis\nredis.Redis(host='h')", True),
        ("import redis\nredis.Redis(host='h', socket_timeout=2)", False),
        ("import redis\nredis.Redis(connection_pool=pool)", False),
        ("import redis\nredis.Redis.from_url(url)", False),
        ("import redis\nredis.from_url('redis://h:6379/0')", True),
        ("import redis\nredis.from_url('redis://h/0?socket_timeout=2')", False),
        ("import redis.asyncio\nredis.asyncio.Redis()", True),
        ("import psycopg2\npsycopg2.connect(host='h', dbname='d')", True),
        ("import psycopg2\npsycopg2.connect('dbname=d connect_timeout=3')", False),
        ("import psycopg\npsycopg.connect(dsn)", False),
        ("import psycopg\npsycopg.connect(conninfo, connect_timeout=3)", False),
        ("from sqlalchemy import create_engine\ncreate_engine('postgresql://h/d')", True),
        ("from sqlalchemy import create_engine\ncreate_engine('sqlite:///x.db')", False),
        (
            "from sqlalchemy import create_engine\n"
            "create_engine('postgresql://h/d', connect_args={'connect_timeout': 3})",
            False,
        ),
        (
            "from sqlalchemy import create_engine\n"
            "create_engine('postgresql://h/d', connect_args={'sslmode': 'require'})",
            True,
        ),
        ("import pymongo\npymongo.MongoClient('mongodb://h')", True),
        ("import pymongo\npymongo.MongoClient('mongodb://h', socketTimeoutMS=5000)", False),
        ("import boto3\nboto3.client('s3', config=cfg)", False),
        ("import openai\nopenai.OpenAI(timeout=20, max_retries=2)", False),
        ("from svc_pb2_grpc import SvcStub\nSvcStub(channel).Get(request)", True),
        ("from svc_pb2_grpc import SvcStub\nSvcStub(channel).Get(request, timeout=2)", False),
    ],
)
def test_database_cloud_llm_and_grpc_clients_are_known(source: str, reported: bool) -> None:
    assert bool(lines(source)) is reported


def test_a_configured_call_names_the_keyword_that_carries_its_timeout() -> None:
    table = CallTable.build(subprocess=False, extra=["billing.Client:deadline"])
    source = "import billing\nbilling.Client(timeout=3)\nbilling.Client(deadline=3)\n"

    found = ModuleAnalysis(table).run(ast.parse(source))

    assert [(f["line"], "deadline=" in f["message"]) for f in found] == [(2, True)]


RETRY_LOOP = """
import time
import itertools
import requests

def fetch(url):
    {head}
        try:
            return requests.get(url, timeout=3)
        except requests.RequestException{handler}
"""


@pytest.mark.parametrize(
    ("head", "handler", "severity"),
    [
        ("while True:", ":\n            pass", "medium"),
        ("while 1:", " as error:\n            log(error)", "medium"),
        ("for _ in itertools.count():", ":\n            continue", "medium"),
        ("while True:", ":\n            time.sleep(1)", "low"),
    ],
)
def test_a_hand_written_retry_loop_without_a_bound_is_reported(
    head: str, handler: str, severity: str
) -> None:
    findings = analyse(RETRY_LOOP.format(head=head, handler=handler))

    loops = [f for f in findings if f["rule"] == "retry-loop-unbounded"]
    assert [(f["line"], f["severity"]) for f in loops] == [(7, severity)]


@pytest.mark.parametrize(
    ("head", "handler"),
    [
        ("for attempt in range(5):", ":\n            pass"),
        ("while True:", ":\n            if attempt > 3:\n                raise"),
        ("while True:", ":\n            break"),
        ("while retrying:", ":\n            pass"),
    ],
)
def test_bounded_retry_loops_are_not_reported(head: str, handler: str) -> None:
    findings = analyse(RETRY_LOOP.format(head=head, handler=handler))

    assert "retry-loop-unbounded" not in {f["rule"] for f in findings}


def test_a_server_loop_without_a_network_call_is_not_a_retry_loop() -> None:
    source = "while True:\n    try:\n        serve_one()\n    except Exception:\n        pass\n"

    assert analyse(source) == []
