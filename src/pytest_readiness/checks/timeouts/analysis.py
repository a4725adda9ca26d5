"""Find outbound calls without a timeout, unbounded or disabled retries and swallowed failures.

The analysis resolves names the way Python binds them, scope by scope: imports give qualified
names (`import requests as r` makes `r.get` mean `requests.get`), any other binding (a local
function called `get`, a parameter, a loop variable) hides them, and assigning a client
(`s = requests.Session()`, `with httpx.Client() as c`, `self.http = ...`) lets its methods be
recognised. Calls through `**kwargs` or `*args` may carry a timeout, so they are never reported.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pytest_readiness.checks.timeouts.calls import (
    RETRY_CLASSES,
    RETRY_COUNTS,
    RETRY_OPTIONS,
    TIMEOUT_CLASSES,
    UNBOUNDED_RETRY_DECORATORS,
    CallTable,
    Outbound,
    TimeoutRule,
)

TimeoutState = Literal["set", "missing", "none", "unknown"]
BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException"})
CONTROL_FLOW = frozenset({"CancelledError", "GeneratorExit", "KeyboardInterrupt", "SystemExit"})
"""Exceptions that stop work rather than report a failure: catching them silently hides none."""
MAX_LABEL = 60


@dataclass(frozen=True)
class Client:
    """A value known to be a client of this kind (`requests.Session`, `httpx.Client`, ...)."""

    kind: str


Binding = str | Client | None
"""A qualified name from an import, a client, or None for any other local binding."""


@dataclass
class Scope:
    name: str
    is_class: bool = False
    bindings: dict[str, Binding] = field(default_factory=dict)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers")


def _statements(body: Sequence[ast.stmt]) -> Iterator[ast.AST]:
    """The statements of one scope in source order, without entering nested scopes."""
    for statement in body:
        yield statement
        if isinstance(statement, _SCOPES):
            continue
        for name in _BLOCK_FIELDS:
            yield from _statements(getattr(statement, name, ()))
        if isinstance(statement, ast.Match):
            for case in statement.cases:
                yield from _statements(case.body)


def _target_names(target: ast.expr) -> Iterator[str]:
    """The names a target binds (`a`, `a, *b`); `a.b = ...` and `a[k] = ...` bind none."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


class ModuleAnalysis(ast.NodeVisitor):
    """One pass over a module's tree; `findings` holds JSON-ready records afterwards."""

    def __init__(self, table: CallTable) -> None:
        self.table = table
        self.scopes: list[Scope] = []
        self.self_clients: dict[str, Client] = {}
        self.network_calls = 0
        self._network_tries: set[int] = set()
        self.findings: list[dict[str, Any]] = []
        self._occurrences: Counter[str] = Counter()

    def run(self, tree: ast.Module) -> list[dict[str, Any]]:
        module = Scope("<module>")
        self.scopes.append(module)
        self._bind_block(tree.body, module)
        self._collect_self_clients(tree)
        for statement in tree.body:
            self.visit(statement)
        return self.findings

    # --- name resolution -------------------------------------------------------------------

    def _lookup(self, name: str) -> tuple[bool, Binding]:
        innermost = len(self.scopes) - 1
        for index in range(innermost, -1, -1):
            scope = self.scopes[index]
            if scope.is_class and index != innermost:
                continue
            if name in scope.bindings:
                return True, scope.bindings[name]
        return False, None

    def resolve(self, node: ast.expr) -> Binding:
        """The qualified name or client an expression denotes, None when unknown or local."""
        if isinstance(node, ast.Name):
            return self._lookup(node.id)[1]
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                return self.self_clients.get(node.attr)
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if isinstance(base, str) else None
        if isinstance(node, ast.Call):
            return self._client_made_by(node)
        return None

    def _client_made_by(self, call: ast.Call) -> Client | None:
        callee = self.resolve(call.func)
        if not isinstance(callee, str):
            return None
        entry = self.table.function(callee)
        return Client(entry.creates) if entry is not None and entry.creates else None

    def _value_binding(self, value: ast.expr | None) -> Binding:
        if value is None:
            return None
        if isinstance(value, ast.Call):
            return self._client_made_by(value)
        if isinstance(value, ast.Name | ast.Attribute):
            return self.resolve(value)
        return None

    def _annotation_binding(self, annotation: ast.expr | None) -> Binding:
        """A parameter annotated with a client class is taken to be such a client."""
        if annotation is None:
            return None
        kind = self.resolve(annotation)
        entry = self.table.function(kind) if isinstance(kind, str) else None
        return Client(entry.creates) if entry is not None and entry.creates else None

    def _bind_block(self, body: Sequence[ast.stmt], scope: Scope) -> None:
        """Record what each name of the scope is bound to; the last binding in the source wins."""
        bindings = scope.bindings
        for node in _statements(body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bindings[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        bindings[top] = top
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    absolute = node.level == 0 and node.module
                    qualified = f"{node.module}.{alias.name}" if absolute else None
                    bindings[alias.asname or alias.name] = qualified
            elif isinstance(node, ast.Assign):
                value = self._value_binding(node.value)
                for target in node.targets:
                    single = isinstance(target, ast.Name)
                    for name in _target_names(target):
                        bindings[name] = value if single else None
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                value = self._value_binding(node.value)
                if value is None:
                    value = self._annotation_binding(node.annotation)
                bindings[node.target.id] = value
            elif isinstance(node, ast.AugAssign | ast.For | ast.AsyncFor):
                for name in _target_names(node.target):
                    bindings[name] = None
            elif isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    if isinstance(item.optional_vars, ast.Name):
                        bindings[item.optional_vars.id] = self._value_binding(item.context_expr)
                    elif item.optional_vars is not None:
                        for name in _target_names(item.optional_vars):
                            bindings[name] = None
            elif isinstance(node, (*_SCOPES, ast.ExceptHandler)) and node.name:
                bindings[node.name] = None

    def _collect_self_clients(self, tree: ast.Module) -> None:
        """`self.http = requests.Session()` anywhere makes `self.http` a session in every method."""
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                pairs = [(target, node.value) for target in node.targets]
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                pairs = [(node.target, node.value)]
            else:
                continue
            for target, value in pairs:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in ("self", "cls")
                    and isinstance(value, ast.Call)
                ):
                    client = self._client_made_by(value)
                    if client is not None:
                        self.self_clients[target.attr] = client

    # --- scopes -----------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call) and self._is_unbounded_retry(decorator):
                self._report_unbounded_decorator(decorator)
            self.visit(decorator)
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.visit(default)
        scope = Scope(node.name)
        arguments = node.args
        for argument in (
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            *(a for a in (arguments.vararg, arguments.kwarg) if a is not None),
        ):
            scope.bindings[argument.arg] = self._annotation_binding(argument.annotation)
        self._bind_block(node.body, scope)
        self.scopes.append(scope)
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expression in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(expression)
        scope = Scope(node.name, is_class=True)
        self._bind_block(node.body, scope)
        self.scopes.append(scope)
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()

    def visit_Lambda(self, node: ast.Lambda) -> None:
        scope = Scope("<lambda>")
        for argument in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
            scope.bindings[argument.arg] = None
        self.scopes.append(scope)
        self.visit(node.body)
        self.scopes.pop()

    # --- calls ------------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        outbound = self._outbound(node)
        if outbound is not None:
            entry, label = outbound
            if entry.network and entry.rule is not TimeoutRule.NOT_APPLICABLE:
                self.network_calls += 1
            self._check_timeout(node, entry, label)
        callee = self.resolve(node.func)
        if isinstance(callee, str):
            self._check_retries(node, callee)
        self.generic_visit(node)

    def _outbound(self, node: ast.Call) -> tuple[Outbound, str] | None:
        callee = self.resolve(node.func)
        if isinstance(callee, str):
            entry = self.table.function(callee)
            return (entry, callee) if entry is not None else None
        if isinstance(node.func, ast.Attribute):
            receiver = self.resolve(node.func.value)
            if isinstance(receiver, Client):
                method = self.table.method(receiver.kind, node.func.attr)
                if method is not None:
                    return method, f"{receiver.kind}.{node.func.attr}"
        return None

    def _check_timeout(self, node: ast.Call, entry: Outbound, label: str) -> None:
        if entry.rule is TimeoutRule.NOT_APPLICABLE:
            return
        state = self._timeout_state(node, entry)
        text = _call_text(node)
        named = f"`{text}(...)`" if text == label else f"`{text}(...)` ({label})"
        severity: str | None = None
        if state == "none":
            message = f"{named} sets its timeout to None, which waits forever"
        elif state == "missing" and entry.rule is TimeoutRule.REQUIRED and entry.default:
            message = f"{named} sets no timeout: {entry.default}"
            severity = entry.default_severity
        elif state == "missing" and entry.rule is TimeoutRule.REQUIRED:
            message = f"{named} has no {entry.timeout_words}: a stalled peer blocks it forever"
        else:
            return
        self._report("missing-timeout", message, node, fix=entry.fix, key=label, severity=severity)

    def _timeout_state(self, node: ast.Call, entry: Outbound) -> TimeoutState:
        spread = False
        for keyword in node.keywords:
            if keyword.arg in entry.keywords:
                return self._value_state(keyword.value)
            spread = spread or keyword.arg is None
        if any(isinstance(argument, ast.Starred) for argument in node.args):
            return "unknown"
        if entry.position is not None and len(node.args) > entry.position:
            return self._value_state(node.args[entry.position])
        if entry.dsn_position is not None and len(node.args) > entry.dsn_position:
            return _dsn_state(node.args[entry.dsn_position])
        return "unknown" if spread else "missing"

    def _value_state(self, value: ast.expr) -> TimeoutState:
        if _is_none(value):
            return "none"
        if isinstance(value, ast.Dict) and all(isinstance(key, ast.Constant) for key in value.keys):
            named = [key.value for key in value.keys if isinstance(key, ast.Constant)]
            return "set" if any("timeout" in str(name).lower() for name in named) else "missing"
        if isinstance(value, ast.Call) and self.resolve(value.func) in TIMEOUT_CLASSES:
            given = [*value.args, *(keyword.value for keyword in value.keywords)]
            if all(_is_none(argument) for argument in given):
                return "none"
        return "set"

    # --- retries ----------------------------------------------------------------------------

    def _check_retries(self, node: ast.Call, callee: str) -> None:
        keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        if callee in RETRY_CLASSES:
            total = keywords.get("total", node.args[0] if node.args else None)
            if total is not None and _is_zero(total):
                self._report_disabled(node, f"`{_call_text(node)}(total=0)` disables retries")
            elif total is not None and _is_none(total):
                bounded = any(
                    name in keywords and not _is_none(keywords[name]) for name in RETRY_COUNTS
                )
                if not bounded:
                    self._report(
                        "retries-unbounded",
                        f"`{_call_text(node)}(total=None)` with no other limit retries forever",
                        node,
                        fix="give Retry a finite total, e.g. Retry(total=3, backoff_factor=0.5)",
                        key=callee,
                    )
        elif callee in RETRY_OPTIONS:
            option = RETRY_OPTIONS[callee]
            if option in keywords and _is_zero(keywords[option]):
                self._report_disabled(node, f"`{_call_text(node)}({option}=0)` disables retries")
        elif callee in UNBOUNDED_RETRY_DECORATORS and not _mentions_stop(node):
            self._report_unbounded_decorator(node)

    def _is_unbounded_retry(self, decorator: ast.expr) -> bool:
        return self.resolve(decorator) in UNBOUNDED_RETRY_DECORATORS

    def _report_unbounded_decorator(self, node: ast.expr) -> None:
        self._report(
            "retries-unbounded",
            f"`{_expression_text(node)}` without stop= retries forever",
            node,
            fix="add stop=tenacity.stop_after_attempt(5) (or stop_after_delay)",
            key="tenacity",
        )

    def _report_disabled(self, node: ast.Call, message: str) -> None:
        self._report(
            "retries-disabled",
            message,
            node,
            fix="allow a few retries with backoff for idempotent requests (e.g. Retry(total=3))",
            key=_call_text(node),
        )

    # --- swallowed failures -----------------------------------------------------------------

    def visit_Try(self, node: ast.Try | ast.TryStar) -> None:
        before = self.network_calls
        for statement in node.body:
            self.visit(statement)
        if self.network_calls > before:
            self._network_tries.add(id(node))
            for handler in node.handlers:
                if _is_silent(handler.body) and not self._is_control_flow(handler):
                    caught = "except:" if handler.type is None else f"except {_caught(handler)}:"
                    self._report(
                        "swallowed-network-error",
                        f"`{caught}` around a network call discards its failure silently",
                        handler,
                        fix="log, retry or re-raise the client's error; say why if it is ignored",
                        key=_handler_key(handler),
                    )
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    visit_TryStar = visit_Try

    def _is_control_flow(self, handler: ast.ExceptHandler) -> bool:
        """`except asyncio.CancelledError: return` ends a cancelled task; it hides no failure."""
        if handler.type is None:
            return False
        caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        return all(
            _last_name(self.resolve(name) or _expression_text(name)) in CONTROL_FLOW
            for name in caught
        )

    # --- hand-written retry loops -----------------------------------------------------------

    def visit_While(self, node: ast.While) -> None:
        self.generic_visit(node)
        if isinstance(node.test, ast.Constant) and node.test.value in (True, 1):
            self._check_retry_loop(node, "while True:")

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.generic_visit(node)
        counter = node.iter
        if isinstance(counter, ast.Call) and self.resolve(counter.func) == "itertools.count":
            self._check_retry_loop(node, f"for ... in {_expression_text(counter)}:")

    visit_AsyncFor = visit_For

    def _check_retry_loop(self, loop: ast.While | ast.For | ast.AsyncFor, head: str) -> None:
        """A loop that retries a network call on every failure, with no way out but success."""
        tries = [
            statement
            for statement in _loop_statements(loop.body)
            if isinstance(statement, ast.Try | ast.TryStar) and id(statement) in self._network_tries
        ]
        if not any(try_.handlers for try_ in tries) or _leaves_on_failure(loop.body, tries):
            return
        if any(self._is_sleep(node) for node in ast.walk(loop)):
            message = f"`{head}` retries a network call on every failure with no limit"
            severity = "low"
        else:
            message = (
                f"`{head}` retries a network call on every failure with no limit and no pause:"
                " an outage becomes a flood of requests"
            )
            severity = "medium"
        self._report(
            "retry-loop-unbounded",
            message,
            loop,
            fix="bound the attempts (for attempt in range(5)) and back off between them",
            key=head,
            severity=severity,
        )

    def _is_sleep(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        callee = self.resolve(node.func)
        name = callee if isinstance(callee, str) else _expression_text(node.func)
        return name.rsplit(".", 1)[-1] == "sleep"

    # --- findings ---------------------------------------------------------------------------

    def _report(
        self,
        rule: str,
        message: str,
        node: ast.expr | ast.stmt | ast.excepthandler,
        *,
        fix: str,
        key: str,
        severity: str | None = "medium",
    ) -> None:
        """Record a finding keyed by scope and occurrence, so moving lines keeps its identity."""
        where = ".".join(scope.name for scope in self.scopes[1:]) or "<module>"
        base = f"{rule}|{where}|{key}"
        self._occurrences[base] += 1
        self.findings.append(
            {
                "rule": rule,
                "message": message,
                "line": node.lineno,
                "column": node.col_offset + 1,
                "fix": fix,
                "key": f"{base}|{self._occurrences[base]}",
                "severity": severity,
            }
        )


def _call_text(node: ast.Call) -> str:
    return _expression_text(node.func)


def _expression_text(node: ast.expr) -> str:
    text = ast.unparse(node)
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _dsn_state(node: ast.expr) -> TimeoutState:
    """A literal connection string sets the timeout only by naming it; any other may carry one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.lower()
        return "set" if "timeout" in text or text.startswith("sqlite") else "missing"
    if isinstance(node, ast.JoinedStr):
        literal = "".join(
            str(part.value) for part in node.values if isinstance(part, ast.Constant)
        ).lower()
        return "set" if "timeout" in literal or literal.startswith("sqlite") else "missing"
    return "unknown"


def _is_zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is not None and node.value in (0, False)


def _mentions_stop(node: ast.Call) -> bool:
    return any(keyword.arg in ("stop", None) for keyword in node.keywords)


def _last_name(name: Binding) -> str:
    return name.rsplit(".", 1)[-1] if isinstance(name, str) else ""


def _handler_key(handler: ast.ExceptHandler) -> str:
    """`except:` and `except Exception:` keep the keys they had before specific classes counted."""
    if handler.type is None:
        return "except:"
    caught = _caught(handler)
    return "a broad except" if caught in BROAD_EXCEPTIONS else caught


def _caught(handler: ast.ExceptHandler) -> str:
    return _expression_text(handler.type) if handler.type is not None else ""


_EXITS = (ast.Raise, ast.Return, ast.Break)


def _loop_statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a loop body, without entering nested scopes or nested loops."""
    for statement in body:
        yield statement
        if isinstance(statement, (*_SCOPES, ast.While, ast.For, ast.AsyncFor)):
            continue
        for name in _BLOCK_FIELDS:
            for part in getattr(statement, name, ()):
                yield from _loop_statements(
                    part.body if isinstance(part, ast.ExceptHandler) else [part]
                )


def _leaves_on_failure(body: Sequence[ast.stmt], tries: Sequence[ast.Try | ast.TryStar]) -> bool:
    """Whether the loop can end other than by the call succeeding: an exit outside the try."""
    inside = {id(node) for try_ in tries for part in try_.body for node in ast.walk(part)}
    return any(
        isinstance(statement, _EXITS) and id(statement) not in inside
        for statement in _loop_statements(body)
    )


def _is_silent(body: Sequence[ast.stmt]) -> bool:
    """A handler that neither raises, logs, retries nor returns anything meaningful."""
    for statement in body:
        if isinstance(statement, ast.Pass | ast.Break):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.Return) and (
            statement.value is None or isinstance(statement.value, ast.Constant)
        ):
            continue
        return False
    return True
