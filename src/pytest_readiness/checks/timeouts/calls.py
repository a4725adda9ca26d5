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
    keywords: tuple[str, ...] = ("timeout",)
    """Keywords that carry the timeout (or a config object holding it); any one of them sets it."""
    default: str = ""
    """What the library does without one (`httpx's default of 5 s`); empty when it waits forever."""
    default_severity: str = "low"
    """The severity of relying on `default`: how much longer it is than a request path can wait."""
    dsn_position: int | None = None
    """Index of a connection string that may carry the timeout itself (`?connect_timeout=3`)."""

    @property
    def timeout_words(self) -> str:
        return " / ".join(f"{keyword}=" for keyword in self.keywords)


REQUESTS_FIX = "pass timeout=(connect, read) in seconds, e.g. timeout=(3.05, 30)"
HTTPX_FIX = "pass timeout=httpx.Timeout(10.0) (or seconds) so no request waits forever"
AIOHTTP_FIX = "pass timeout=aiohttp.ClientTimeout(total=30)"
URLLIB3_FIX = "pass timeout=urllib3.Timeout(connect=3, read=30)"
SOCKET_FIX = "pass timeout=<seconds>: without it the global socket default (none) applies"
SUBPROCESS_FIX = "pass timeout=<seconds> and handle subprocess.TimeoutExpired"
REDIS_FIX = "pass socket_timeout=<seconds> and socket_connect_timeout=<seconds>"
POSTGRES_FIX = "pass connect_timeout=<seconds> (and set statement_timeout on the server side)"
SQLALCHEMY_FIX = "pass connect_args={'connect_timeout': <seconds>} (the driver's own keyword)"
MONGO_FIX = "pass socketTimeoutMS= (or timeoutMS=) and serverSelectionTimeoutMS="
BOTO_FIX = "pass config=botocore.config.Config(connect_timeout=3, read_timeout=10, retries=...)"
LLM_FIX = "pass timeout=<seconds> (and max_retries=) sized to the caller's deadline"
GRPC_FIX = "pass timeout=<seconds>: a gRPC call without a deadline waits forever"
HTTPX_DEFAULT = "httpx's default of 5 s applies: set the one the caller's deadline allows"
AIOHTTP_DEFAULT = (
    "aiohttp's default of 5 minutes in total applies, far longer than a caller can wait"
)
LLM_DEFAULT = (
    "{name}'s default of 10 minutes per request (and 2 retries) applies, longer than any "
    "caller can wait"
)
BOTO_DEFAULT = "botocore's defaults of 60 s to connect and 60 s per read (with retries) apply"
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
    *(
        Outbound(f"httpx.{name}", TimeoutRule.REQUIRED, HTTPX_FIX, default=HTTPX_DEFAULT)
        for name in (*HTTP_METHODS, "request", "stream")
    ),
    *(
        Outbound(
            f"httpx.{name}",
            TimeoutRule.REQUIRED,
            HTTPX_FIX,
            creates="httpx.Client",
            default=HTTPX_DEFAULT,
        )
        for name in ("Client", "AsyncClient")
    ),
    Outbound(
        "aiohttp.request",
        TimeoutRule.REQUIRED,
        AIOHTTP_FIX,
        default=AIOHTTP_DEFAULT,
        default_severity="medium",
    ),
    Outbound(
        "aiohttp.ClientSession",
        TimeoutRule.REQUIRED,
        AIOHTTP_FIX,
        creates="aiohttp.ClientSession",
        default=AIOHTTP_DEFAULT,
        default_severity="medium",
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
    *(
        Outbound(
            f"redis.{name}",
            TimeoutRule.REQUIRED,
            REDIS_FIX,
            keywords=("socket_timeout", "connection_pool"),
            dsn_position=0 if "from_url" in name else None,
        )
        for name in (
            "Redis",
            "StrictRedis",
            "from_url",
            "Redis.from_url",
            "StrictRedis.from_url",
            "asyncio.Redis",
            "asyncio.from_url",
            "asyncio.Redis.from_url",
        )
    ),
    *(
        Outbound(
            name,
            TimeoutRule.REQUIRED,
            POSTGRES_FIX,
            keywords=("connect_timeout",),
            dsn_position=0,
        )
        for name in ("psycopg2.connect", "psycopg.connect", "psycopg.AsyncConnection.connect")
    ),
    *(
        Outbound(
            name,
            TimeoutRule.REQUIRED,
            SQLALCHEMY_FIX,
            keywords=("connect_args",),
            dsn_position=0,
        )
        for name in ("sqlalchemy.create_engine", "sqlalchemy.ext.asyncio.create_async_engine")
    ),
    Outbound(
        "pymongo.MongoClient",
        TimeoutRule.REQUIRED,
        MONGO_FIX,
        keywords=("socketTimeoutMS", "timeoutMS"),
        dsn_position=0,
    ),
    *(
        Outbound(name, TimeoutRule.REQUIRED, BOTO_FIX, keywords=("config",), default=BOTO_DEFAULT)
        for name in ("boto3.client", "boto3.resource")
    ),
    *(
        Outbound(name, TimeoutRule.NOT_APPLICABLE, "", creates="boto3.Session")
        for name in ("boto3.Session", "boto3.session.Session")
    ),
    *(
        Outbound(
            f"{vendor}.{client}",
            TimeoutRule.REQUIRED,
            LLM_FIX,
            default=LLM_DEFAULT.format(name=vendor),
            default_severity="medium",
        )
        for vendor, clients in (
            ("openai", ("OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI")),
            ("anthropic", ("Anthropic", "AsyncAnthropic")),
        )
        for client in clients
    ),
)
NETWORK_FUNCTIONS = _aliases(
    _NETWORK_FUNCTIONS,
    {
        "requests.api": "requests",
        "requests.sessions": "requests",
        "urllib3.poolmanager": "urllib3",
        "urllib3.connectionpool": "urllib3",
        "aiohttp.client": "aiohttp",
        "httpx._api": "httpx",
        "httpx._client": "httpx",
        "redis.client": "redis",
        "redis.asyncio.client": "redis.asyncio",
        "pymongo.mongo_client": "pymongo",
        "sqlalchemy.engine": "sqlalchemy",
        "sqlalchemy.engine.create": "sqlalchemy",
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
    "boto3.Session": {name: NETWORK_FUNCTIONS[f"boto3.{name}"] for name in ("client", "resource")},
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


GRPC_STUB = "grpc.stub"
"""The kind of a generated gRPC stub (`foo_pb2_grpc.FooStub(channel)`): each method is a call."""


def parse_extra_call(spec: str) -> tuple[str, tuple[str, ...]]:
    """`pkg.mod.fetch` or `pkg.mod.fetch:deadline` (the keyword, or config object, carrying it)."""
    name, colon, keyword = spec.partition(":")
    parts = name.split(".")
    if len(parts) < 2 or not all(part.isidentifier() for part in parts):
        raise ValueError(f"calls entry {spec!r} must be a qualified name like `pkg.module.fetch`")
    if colon and not keyword.isidentifier():
        raise ValueError(f"calls entry {spec!r}: the part after `:` must be a keyword name")
    return name, (keyword or "timeout",)


@dataclass(frozen=True)
class CallTable:
    """The calls one run checks: the network table, plus subprocess and extra names if asked."""

    functions: dict[str, Outbound] = field(default_factory=lambda: dict(NETWORK_FUNCTIONS))

    @classmethod
    def build(cls, *, subprocess: bool, extra: list[str]) -> CallTable:
        functions = dict(NETWORK_FUNCTIONS)
        if subprocess:
            functions.update(SUBPROCESS_FUNCTIONS)
        for spec in extra:
            name, keywords = parse_extra_call(spec)
            fix = f"pass {keywords[0]}=<seconds>"
            functions.setdefault(name, Outbound(name, TimeoutRule.REQUIRED, fix, keywords=keywords))
        return cls(functions)

    def function(self, name: str) -> Outbound | None:
        """The entry of a qualified name; generated gRPC stub classes are recognised by name."""
        entry = self.functions.get(name)
        if entry is None and _is_grpc_stub(name):
            return Outbound(name, TimeoutRule.NOT_APPLICABLE, "", creates=GRPC_STUB)
        return entry

    def method(self, client: str, name: str) -> Outbound | None:
        if client == "subprocess.Popen" and "subprocess.Popen" not in self.functions:
            return None
        if client == GRPC_STUB:
            return None if name.startswith("_") else Outbound(name, TimeoutRule.REQUIRED, GRPC_FIX)
        return CLIENT_METHODS.get(client, {}).get(name)


def _is_grpc_stub(name: str) -> bool:
    module, _, attribute = name.rpartition(".")
    return module.endswith("_pb2_grpc") and attribute.endswith("Stub")
