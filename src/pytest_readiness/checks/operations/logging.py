"""`logging`: the service's code leaves a searchable trail and leaks nothing into it.

The Google SRE production readiness review asks whether a service can be debugged from its
logs; OWASP's Logging Cheat Sheet says what must never be in them. Read from the syntax tree
of the project's own source (tests are excluded): `print()` bypasses levels, handlers and
formatters; a bare `except:` or an `except Exception: pass` hides the failure the logs should
show (a narrow `except KeyError: pass` is usually a decision, not a hidden failure, so it is
counted but reported only when asked for; `timeouts` reports any error silenced around a
network call);
a log call that formats a variable named like a password or token writes the secret to every
log sink. With `require_json`, the project must also set up structured (JSON) logging.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pytest_readiness.check import Check, CheckContext, CheckSkipped
from pytest_readiness.checks.operations.secret_names import looks_secret
from pytest_readiness.files import ProjectFile, matches
from pytest_readiness.model import Category, CheckResult, Finding, Severity
from pytest_readiness.reading import NotRead, read_bytes

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
LOGGER_NAMES = frozenset({"log", "logger", "logging"})
BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException", "builtins.Exception"})
CLEANUP_CALLS = frozenset(
    {
        "close",
        "aclose",
        "shutdown",
        "disconnect",
        "release",
        "unlink",
        "remove",
        "rmdir",
        "rmtree",
        "terminate",
        "kill",
        "cancel",
        "stop",
        "cleanup",
        "flush",
        "unsubscribe",
        "reset",
        "wait_closed",
        "connection_lost",
        "write_eof",
        "abort",
        "collect",
        "__exit__",
        "__aexit__",
    }
)
"""Calls whose failure, in a best-effort clean-up, is rightly ignored: the resource is going."""
CLEANUP_FUNCTIONS = CLEANUP_CALLS | {"__del__", "teardown", "dispose", "close_all"}
"""Functions whose whole job is tearing down, where a failure has nowhere left to go."""


@dataclass
class LoggingSettings:
    include: list[str] = field(default_factory=list)
    """Source patterns to read; empty means every Python file not excluded."""
    exclude: list[str] = field(
        default_factory=lambda: [
            "tests",
            "test",
            "testing",
            "conftest.py",
            "test_*.py",
            "*_test.py",
            "docs",
            "examples",
            "benchmarks",
            "scripts",
            "setup.py",
            "noxfile.py",
        ]
    )
    """Globs of files that are not library or service code."""
    print_allowed: list[str] = field(default_factory=lambda: ["__main__.py", "cli.py"])
    """Files whose job is to talk to a terminal, where `print()` is the output."""
    require_json: bool = False
    """The project must set up structured (JSON) logging."""
    swallowed: Literal["broad", "all"] = "broad"
    """Which silenced `except` clauses are findings: only `Exception`/`BaseException` ones, or
    every class (`except KeyError: pass` too). Those left out are counted in the metrics."""
    json_logging_modules: list[str] = field(
        default_factory=lambda: [
            "pythonjsonlogger",
            "json_log_formatter",
            "structlog",
            "ecs_logging",
        ]
    )
    """Modules whose import (or mention in a logging config) counts as a JSON set-up."""


@dataclass(frozen=True)
class Observation:
    """A rule broken at a place in one file, before it becomes a Finding."""

    rule: str
    message: str
    line: int
    column: int
    fix: str
    key: str


class LoggingCheck(Check):
    id = "logging"
    category = Category.RELIABILITY
    severity = Severity.MEDIUM
    description = "No print(), no swallowed exceptions, no secrets in log calls"
    Settings = LoggingSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: LoggingSettings = self.settings
        sources = ctx.files.select(settings.include, settings.exclude, suffixes=(".py",))
        if not sources:
            raise CheckSkipped("no Python source outside the tests")
        result = CheckResult()
        structured = False
        left_out = idioms = 0
        for file in sources:
            try:
                tree = ast.parse(read_bytes(file), filename=file.path)
            except NotRead:
                continue
            except (SyntaxError, ValueError, OSError) as error:
                result.findings.append(self._unparseable(file, error))
                continue
            review = SourceReview(
                print_allowed=matches(file.path, settings.print_allowed),
                json_modules=tuple(settings.json_logging_modules),
                narrow_swallows=settings.swallowed == "all",
            )
            review.visit(tree)
            structured = structured or review.structured_logging
            left_out += review.left_out
            idioms += review.idioms_left_out
            result.findings.extend(self._located(file, item) for item in review.observations)
        if settings.require_json and not structured:
            result.findings.append(
                self.finding(
                    "no-structured-logging",
                    "no JSON log formatter is set up: logs cannot be queried by field",
                    fix="configure a JSON formatter (python-json-logger, structlog, or a "
                    "logging.Formatter subclass that emits json.dumps(...))",
                    key="no-structured-logging",
                )
            )
        result.metrics = {"files_scanned": float(len(sources))}
        result.summary = (
            f"{len(result.findings)} logging problem(s) in {len(sources)} file(s)"
            if result.findings
            else f"{len(sources)} file(s) clean"
        )
        if left_out:
            result.metrics["narrow_swallows_left_out"] = float(left_out)
            result.summary += (
                f'; {left_out} narrow `except ...: pass` left out (swallowed = "all" lists them)'
            )
        if idioms:
            result.metrics["idiom_swallows_left_out"] = float(idioms)
            result.summary += (
                f"; {idioms} silent `except` in clean-ups, optional imports or __del__ left out"
            )
        return result

    def _located(self, file: ProjectFile, item: Observation) -> Finding:
        return self.finding(
            item.rule,
            item.message,
            path=file.path,
            line=item.line,
            column=item.column,
            fix=item.fix,
            key=item.key,
        )

    def _unparseable(self, file: ProjectFile, error: Exception) -> Finding:
        line = getattr(error, "lineno", None) or 1
        return self.finding(
            "unparseable-source",
            f"not valid Python ({type(error).__name__}: {getattr(error, 'msg', error)}); "
            "its logging could not be checked",
            path=file.path,
            line=line,
            fix="fix the syntax error, or exclude the file in [tool.readiness.logging]",
            key=type(error).__name__,
        )


class SourceReview(ast.NodeVisitor):
    """One module's tree walked once, collecting every rule it breaks."""

    def __init__(
        self, *, print_allowed: bool, json_modules: tuple[str, ...], narrow_swallows: bool = False
    ) -> None:
        self.print_allowed = print_allowed
        self.json_modules = json_modules
        self.narrow_swallows = narrow_swallows
        self.module: ast.Module | None = None
        self.structured_logging = False
        self.observations: list[Observation] = []
        self.functions: list[str] = []
        self.left_out = 0
        self.idioms_left_out = 0
        self.preserving: set[int] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Module(self, node: ast.Module) -> None:
        self.module = node
        self.generic_visit(node)

    @functools.cached_property
    def print_shadowed(self) -> bool:
        """Whether the module binds its own `print`; walked only once a print call is seen."""
        return self.module is not None and any(_binds_print(item) for item in ast.walk(self.module))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "print":
            if not self.print_allowed and not self.print_shadowed:
                self._observe(
                    node,
                    "print-call",
                    "print() bypasses logging: no level, no handler, no structure",
                    "use `logger = logging.getLogger(__name__)` and `logger.info(...)`",
                    ast.unparse(node)[:80],
                )
        elif _is_log_call(func):
            secrets = sorted({name for name in _formatted_names(node) if looks_secret(name)})
            if secrets:
                self._observe(
                    node,
                    "secret-logged",
                    f"a log call writes {', '.join(map(repr, secrets))}, named like a secret",
                    "log that it is set, or a masked form, never the value",
                    ",".join(secrets),
                )
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try | ast.TryStar) -> None:
        fallthrough = bool(node.body) and isinstance(node.body[-1], ast.Return)
        optional_import = all(isinstance(item, ast.Import | ast.ImportFrom) for item in node.body)
        tearing_down = bool(self.functions) and self.functions[-1] in CLEANUP_FUNCTIONS
        cleanup = _is_teardown(node.body)
        fallback = all(isinstance(item, ast.Assign | ast.AnnAssign) for item in node.body)
        probe = bool(node.orelse)
        preserving = id(node) in self.preserving
        idiom = optional_import or tearing_down or cleanup or fallback or probe or preserving
        for handler in node.handlers:
            self._handler(handler, fallthrough, idiom)
        for block in (
            *(h for h in node.handlers if any(isinstance(i, ast.Raise) for i in ast.walk(h))),
            *node.finalbody,
        ):
            self.preserving.update(
                id(item) for item in ast.walk(block) if isinstance(item, ast.Try)
            )
        self.generic_visit(node)

    visit_TryStar = visit_Try

    def _handler(self, node: ast.ExceptHandler, fallthrough: bool, idiom: bool) -> None:
        """Judge one handler; `fallthrough` and `idiom` mark code where silence is the handling.

        `try: return int(text)` / `except ValueError: pass` followed by another attempt moves
        on. The idioms, counted as left out: an optional import falls back to not having the
        module; a best-effort clean-up (`conn.close()`, anything in `close()`/`__del__`/a
        `finally:`) of a resource being dropped has nothing left to do about a failure; a try
        of assignments keeps the default it had; a `try/except/else` probe takes the failure as
        its answer; a handler that re-raises keeps its own failure visible while it cleans up.
        """
        reraises = any(_reraises(item) for item in ast.walk(node))
        silent = all(_is_noop(statement) for statement in node.body)
        if node.type is None and not reraises:
            self._observe(
                node,
                "bare-except",
                "bare `except:` catches everything, SystemExit and KeyboardInterrupt too"
                + (", and drops it" if silent else ""),
                "catch the exceptions you expect (`except OSError:`) and log them",
                "bare-except",
            )
        elif node.type is not None and silent and not fallthrough:
            caught = ast.unparse(node.type)
            if idiom:
                self.idioms_left_out += 1
                return
            if not self.narrow_swallows and not _is_broad(node.type):
                self.left_out += 1
                return
            self._observe(
                node,
                "swallowed-exception",
                f"`except {caught}: pass` hides the failure: nothing is logged or re-raised",
                f"log it (`logger.warning(..., exc_info=True)`) or say so: "
                f"`with contextlib.suppress({caught}):`",
                f"swallow:{caught}",
            )

    def visit_Import(self, node: ast.Import) -> None:
        if any(self._json_module(alias.name) for alias in node.names):
            self.structured_logging = True

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and self._json_module(node.module):
            self.structured_logging = True

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and self._json_module(node.value):
            self.structured_logging = True

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        formatter = any(_name_of(base).endswith("Formatter") for base in node.bases)
        if formatter and any(_is_json_dump(item) for item in ast.walk(node)):
            self.structured_logging = True
        self.generic_visit(node)

    def _json_module(self, dotted: str) -> bool:
        return any(dotted == name or dotted.startswith(f"{name}.") for name in self.json_modules)

    def _observe(self, node: ast.AST, rule: str, message: str, fix: str, key: str) -> None:
        line = getattr(node, "lineno", 1)
        column = getattr(node, "col_offset", 0) + 1
        self.observations.append(Observation(rule, message, line, column, fix, key))


def _reraises(node: ast.AST) -> bool:
    """`raise`, or a helper that re-raises: `with util.safe_reraise():`, `sys.exc_info()` kept."""
    if isinstance(node, ast.Raise):
        return True
    if isinstance(node, ast.Call):
        name = _name_of(node.func)
        return "reraise" in name or name == "exc_info"
    return False


def _is_teardown(body: Sequence[ast.stmt]) -> bool:
    """A block of bare calls (under `if`/`for` too) of which at least one releases something:
    `transport.write_eof(); transport.close()`, `if os.path.exists(p): os.unlink(p)`."""
    calls = list(_bare_calls(body))
    return bool(calls) and None not in calls and any(_releases(call) for call in calls if call)


def _bare_calls(body: Sequence[ast.stmt]) -> Iterator[ast.Call | None]:
    """The calls of a block of call statements; None for any statement that is not one."""
    for statement in body:
        if isinstance(statement, ast.If | ast.For | ast.AsyncFor):
            yield from _bare_calls([*statement.body, *statement.orelse])
            continue
        value = statement.value if isinstance(statement, ast.Expr) else None
        value = value.value if isinstance(value, ast.Await) else value
        yield value if isinstance(value, ast.Call) else None


def _releases(call: ast.Call) -> bool:
    name = _name_of(call.func)
    return name in CLEANUP_CALLS or name.startswith(("close", "release", "shutdown", "stop"))


def _is_broad(caught: ast.expr) -> bool:
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(ast.unparse(name) in BROAD_EXCEPTIONS for name in names)


def _binds_print(node: ast.AST) -> bool:
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        return node.id == "print"
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name == "print"
    if isinstance(node, ast.alias):
        return (node.asname or node.name) == "print"
    return False


def _name_of(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else ""


def _is_log_call(func: ast.expr) -> bool:
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return False
    name = _name_of(func.value).lower().lstrip("_")
    return name in LOGGER_NAMES or name.endswith(("logger", "_log"))


def _formatted_names(call: ast.Call) -> Iterator[str]:
    """Names whose values a log call writes: its arguments, f-string fields, `extra` entries."""
    for argument in call.args:
        yield from _written_names(argument)
    for keyword in call.keywords:
        if keyword.arg == "extra":
            yield from _written_names(keyword.value)


def _written_names(node: ast.expr) -> Iterator[str]:
    """Direct references only: `len(token)` or `mask(password)` do not write the value."""
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Attribute):
        yield node.attr
    elif isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            yield key.value
    elif isinstance(node, ast.JoinedStr):
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                yield from _written_names(value.value)
    elif isinstance(node, ast.BinOp):
        yield from _written_names(node.left)
        yield from _written_names(node.right)
    elif isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _written_names(element)
    elif isinstance(node, ast.Dict):
        for dict_key, value in zip(node.keys, node.values, strict=True):
            if isinstance(dict_key, ast.Constant) and isinstance(dict_key.value, str):
                yield dict_key.value
            yield from _written_names(value)
    elif isinstance(node, ast.Call) and _is_str_format(node.func):
        for argument in (*node.args, *(keyword.value for keyword in node.keywords)):
            yield from _written_names(argument)
        for keyword in node.keywords:
            if keyword.arg:
                yield keyword.arg


def _is_str_format(func: ast.expr) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "format"
        and isinstance(func.value, ast.Constant)
        and isinstance(func.value.value, str)
    )


def _is_noop(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Pass) or (
        isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
    )


def _is_json_dump(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("dumps", "dump")
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "json"
    )
