"""Which calls leave the process, where their timeout goes, and what the clients they build do.

Names are fully qualified as the import system sees them (`requests.get`, `urllib.request.urlopen`);
the analysis resolves the project's import aliases to these names before looking them up.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class TimeoutRule(enum.Enum):
    REQUIRED = "required"
    """Without a timeout the call can wait forever (the library's default is none)."""
    NONE_ONLY = "none-only"
    """The library or the client supplies a default; only an explicit `timeout=None` removes it."""
    NOT_APPLICABLE = "not-applicable"
    """The call takes no timeout (it only builds a client whose methods take one)."""


@dataclass(frozen=True)
class Outbound:
    """A callable that reaches another process, or builds a client that does."""

    name: str
    rule: TimeoutRule
    fix: str
    position: int | None = None
    """Index of `timeout` among positional arguments, None when it is keyword-only."""
    creates: str | None = None
    """The client kind the call returns, whose methods are looked up in `CLIENT_METHODS`."""
    network: bool = True
    """Whether failures of this call are network failures (subprocess calls are not)."""


REQUESTS_FIX = "pass timeout=(connect, read) in seconds, e.g. timeout=(3.05, 30)"
HTTPX_FIX = "pass timeout=httpx.Timeout(10.0) (or seconds) so no request waits forever"
AIOHTTP_FIX = "pass timeout=aiohttp.ClientTimeout(total=30)"
URLLIB3_FIX = "pass timeout=urllib3.Timeout(connect=3, read=30)"
SOCKET_FIX = "pass timeout=<seconds>: without it the global socket default (none) applies"
SUBPROCESS_FIX = "pass timeout=<seconds> and handle subprocess.TimeoutExpired"
HTTP_METHODS = ("get", "options", "head", "post", "put", "patch", "delete")

TIMEOUT_CLASSES = frozenset({"httpx.Timeout", "aiohttp.ClientTimeout", "urllib3.Timeout"})
"""Timeout objects that disable every limit when built from nothing but None."""


def _table(*entries: Outbound) -> dict[str, Outbound]:
    return {entry.name: entry for entry in entries}


def _aliases(table: dict[str, Outbound], modules: dict[str, str]) -> dict[str, Outbound]:
    """Other importable names of the same callables (`requests.api.get` is `requests.get`)."""
    extra: dict[str, Outbound] = {}
    for module, canonical in modules.items():
        for name, entry in table.items():
            if name.startswith(canonical + "."):
                extra[module + name.removeprefix(canonical)] = entry
    return {**table, **extra}


_NETWORK_FUNCTIONS = _table(
    *(Outbound(f"requests.{verb}", TimeoutRule.REQUIRED, REQUESTS_FIX) for verb in HTTP_METHODS),
    Outbound("requests.request", TimeoutRule.REQUIRED, REQUESTS_FIX),
    Outbound("requests.Session", TimeoutRule.NOT_APPLICABLE, "", creates="requests.Session"),
    Outbound("requests.session", TimeoutRule.NOT_APPLICABLE, "", creates="requests.Session"),
    *(Outbound(f"httpx.{verb}", TimeoutRule.REQUIRED, HTTPX_FIX) for verb in HTTP_METHODS),
    Outbound("httpx.request", TimeoutRule.REQUIRED, HTTPX_FIX),
    Outbound("httpx.stream", TimeoutRule.REQUIRED, HTTPX_FIX),
    Outbound("httpx.Client", TimeoutRule.REQUIRED, HTTPX_FIX, creates="httpx.Client"),
    Outbound("httpx.AsyncClient", TimeoutRule.REQUIRED, HTTPX_FIX, creates="httpx.Client"),
    Outbound("aiohttp.request", TimeoutRule.REQUIRED, AIOHTTP_FIX),
    Outbound(
        "aiohttp.ClientSession", TimeoutRule.REQUIRED, AIOHTTP_FIX, creates="aiohttp.ClientSession"
    ),
    Outbound("urllib3.request", TimeoutRule.REQUIRED, URLLIB3_FIX),
    *(
        Outbound(f"urllib3.{pool}", TimeoutRule.REQUIRED, URLLIB3_FIX, creates="urllib3.pool")
        for pool in ("PoolManager", "HTTPConnectionPool", "HTTPSConnectionPool")
    ),
    Outbound(
        "urllib3.connection_from_url", TimeoutRule.REQUIRED, URLLIB3_FIX, creates="urllib3.pool"
    ),
    Outbound("urllib.request.urlopen", TimeoutRule.REQUIRED, SOCKET_FIX, position=2),
    Outbound(
        "urllib.request.build_opener",
        TimeoutRule.NOT_APPLICABLE,
        "",
        creates="urllib.request.OpenerDirector",
    ),
    Outbound(
        "urllib.request.OpenerDirector",
        TimeoutRule.NOT_APPLICABLE,
        "",
        creates="urllib.request.OpenerDirector",
    ),
    Outbound("http.client.HTTPConnection", TimeoutRule.REQUIRED, SOCKET_FIX, position=2),
    Outbound("http.client.HTTPSConnection", TimeoutRule.REQUIRED, SOCKET_FIX),
    Outbound("socket.create_connection", TimeoutRule.REQUIRED, SOCKET_FIX, position=1),
    Outbound("smtplib.SMTP", TimeoutRule.REQUIRED, SOCKET_FIX, position=3),
    Outbound("smtplib.SMTP_SSL", TimeoutRule.REQUIRED, SOCKET_FIX),
    Outbound("smtplib.LMTP", TimeoutRule.REQUIRED, SOCKET_FIX, position=4),
    Outbound("ftplib.FTP", TimeoutRule.REQUIRED, SOCKET_FIX, position=4),
    Outbound("ftplib.FTP_TLS", TimeoutRule.REQUIRED, SOCKET_FIX),
    Outbound("poplib.POP3", TimeoutRule.REQUIRED, SOCKET_FIX, position=2),
    Outbound("poplib.POP3_SSL", TimeoutRule.REQUIRED, SOCKET_FIX),
    Outbound("imaplib.IMAP4", TimeoutRule.REQUIRED, SOCKET_FIX, position=2),
    Outbound("imaplib.IMAP4_SSL", TimeoutRule.REQUIRED, SOCKET_FIX),
)
NETWORK_FUNCTIONS = _aliases(
    _NETWORK_FUNCTIONS,
    {
        "requests.api": "requests",
        "requests.sessions": "requests",
        "urllib3.poolmanager": "urllib3",
        "urllib3.connectionpool": "urllib3",
    },
)

SUBPROCESS_FUNCTIONS = _table(
    *(
        Outbound(f"subprocess.{name}", TimeoutRule.REQUIRED, SUBPROCESS_FIX, network=False)
        for name in ("run", "call", "check_call", "check_output")
    ),
    Outbound(
        "subprocess.Popen",
        TimeoutRule.NOT_APPLICABLE,
        "",
        creates="subprocess.Popen",
        network=False,
    ),
)


def _methods(rule: TimeoutRule, fix: str, **positions: int | None) -> dict[str, Outbound]:
    return {name: Outbound(name, rule, fix, position) for name, position in positions.items()}


_VERBS: dict[str, int | None] = dict.fromkeys(HTTP_METHODS, None)
CLIENT_METHODS: dict[str, dict[str, Outbound]] = {
    "requests.Session": _methods(
        TimeoutRule.REQUIRED, REQUESTS_FIX, **_VERBS, request=8, send=None
    ),
    "httpx.Client": _methods(
        TimeoutRule.NONE_ONLY, HTTPX_FIX, **_VERBS, request=None, stream=None, send=None
    ),
    "aiohttp.ClientSession": _methods(
        TimeoutRule.NONE_ONLY, AIOHTTP_FIX, **_VERBS, request=None, ws_connect=None
    ),
    "urllib3.pool": _methods(
        TimeoutRule.NONE_ONLY, URLLIB3_FIX, request=None, urlopen=None, request_encode_url=None
    ),
    "urllib.request.OpenerDirector": _methods(TimeoutRule.REQUIRED, SOCKET_FIX, open=2),
    "subprocess.Popen": {
        name: Outbound(name, TimeoutRule.REQUIRED, SUBPROCESS_FIX, position, network=False)
        for name, position in (("communicate", 1), ("wait", 0))
    },
}

RETRY_CLASSES = frozenset(
    {
        "urllib3.Retry",
        "urllib3.util.Retry",
        "urllib3.util.retry.Retry",
        "requests.adapters.Retry",
        "requests.packages.urllib3.Retry",
        "requests.packages.urllib3.util.retry.Retry",
    }
)
RETRY_COUNTS = ("connect", "read", "redirect", "status", "other")
"""Retry's per-kind limits: with `total=None` these alone bound the retries."""
RETRY_OPTIONS = {
    "requests.adapters.HTTPAdapter": "max_retries",
    "urllib3.PoolManager": "retries",
    "httpx.HTTPTransport": "retries",
    "httpx.AsyncHTTPTransport": "retries",
}
"""Clients and transports whose retry option, set to 0 or False, disables retries."""
UNBOUNDED_RETRY_DECORATORS = frozenset(
    {"tenacity.retry", "tenacity.Retrying", "tenacity.AsyncRetrying"}
)
"""tenacity retries forever unless given `stop=`."""


@dataclass(frozen=True)
class CallTable:
    """The calls one run checks: the network table, plus subprocess and extra names if asked."""

    functions: dict[str, Outbound] = field(default_factory=lambda: dict(NETWORK_FUNCTIONS))

    @classmethod
    def build(cls, *, subprocess: bool, extra: list[str]) -> CallTable:
        functions = dict(NETWORK_FUNCTIONS)
        if subprocess:
            functions.update(SUBPROCESS_FUNCTIONS)
        for name in extra:
            functions.setdefault(
                name, Outbound(name, TimeoutRule.REQUIRED, "pass timeout=<seconds>")
            )
        return cls(functions)

    def method(self, client: str, name: str) -> Outbound | None:
        if client == "subprocess.Popen" and "subprocess.Popen" not in self.functions:
            return None
        return CLIENT_METHODS.get(client, {}).get(name)
