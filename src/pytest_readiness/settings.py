"""Turn a TOML table into a typed settings dataclass, or say exactly which key is wrong.

Every check declares its settings as a dataclass whose fields all have defaults; this module is
the one place that checks names, types and allowed values, so that a typo in `pyproject.toml`
stops the run with a message instead of being silently ignored.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

T = TypeVar("T")


class SettingsError(ValueError):
    """A bad value at a dotted key path such as `tool.readiness.coverage.total`."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


def load(kind: Any, raw: Any, key: str) -> Any:
    """Convert `raw` (parsed TOML) to `kind`, raising SettingsError naming `key` on mismatch."""
    origin = get_origin(kind)
    if kind is Any:
        return raw
    if origin is Literal:
        allowed = get_args(kind)
        if raw not in allowed:
            choices = ", ".join(repr(choice) for choice in allowed)
            raise SettingsError(key, f"got {raw!r}; allowed: {choices}")
        return raw
    if origin in (Union, types.UnionType):
        return _load_union(kind, raw, key)
    if origin is list:
        (item_kind,) = get_args(kind)
        if not isinstance(raw, list):
            raise SettingsError(key, f"expected a list, got {_describe(raw)}")
        return [load(item_kind, item, f"{key}[{index}]") for index, item in enumerate(raw)]
    if origin is dict:
        _, value_kind = get_args(kind)
        if not isinstance(raw, Mapping):
            raise SettingsError(key, f"expected a table, got {_describe(raw)}")
        return {name: load(value_kind, value, f"{key}.{name}") for name, value in raw.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return load_dataclass(kind, raw, key)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        allowed_values = [member.value for member in kind]
        if raw not in allowed_values:
            choices = ", ".join(repr(choice) for choice in allowed_values)
            raise SettingsError(key, f"got {raw!r}; allowed: {choices}")
        return kind(raw)
    return _load_scalar(kind, raw, key)


def load_dataclass(kind: type[T], raw: Any, key: str) -> T:
    """Build the dataclass `kind` from a table; every field not given keeps its default."""
    if not isinstance(raw, Mapping):
        raise SettingsError(key, f"expected a table, got {_describe(raw)}")
    fields = {field.name: field for field in dataclasses.fields(kind)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(kind)
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        allowed = ", ".join(sorted(fields)) or "(no keys)"
        raise SettingsError(f"{key}.{unknown[0]}", f"unknown key; allowed keys: {allowed}")
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name in raw:
            values[name] = load(hints[name], raw[name], f"{key}.{name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise SettingsError(f"{key}.{name}", "required key is missing")
    instance = kind(**values)
    validate = getattr(instance, "validate", None)
    if callable(validate):
        try:
            validate()
        except ValueError as error:
            raise SettingsError(key, str(error)) from None
    return instance


def _load_union(kind: Any, raw: Any, key: str) -> Any:
    options = get_args(kind)
    if raw is None and type(None) in options:
        return None
    errors: list[SettingsError] = []
    for option in options:
        if option is type(None):
            continue
        try:
            return load(option, raw, key)
        except SettingsError as error:
            errors.append(error)
    if len(errors) == 1:
        raise errors[0]
    raise SettingsError(key, "; or ".join(error.problem for error in errors))


_SCALARS: dict[type, str] = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "a string",
    datetime.date: "a date (YYYY-MM-DD)",
}


def _load_scalar(kind: Any, raw: Any, key: str) -> Any:
    if kind not in _SCALARS:
        raise TypeError(f"settings type {kind!r} at {key} is not supported")
    wanted = _SCALARS[kind]
    if kind is float and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    if kind is datetime.date:
        if isinstance(raw, datetime.datetime) or not isinstance(raw, datetime.date):
            if isinstance(raw, str):
                try:
                    return datetime.date.fromisoformat(raw)
                except ValueError:
                    pass
            raise SettingsError(key, f"expected {wanted}, got {_describe(raw)}")
        return raw
    if isinstance(raw, bool) and kind is not bool:
        raise SettingsError(key, f"expected {wanted}, got {_describe(raw)}")
    if not isinstance(raw, kind):
        raise SettingsError(key, f"expected {wanted}, got {_describe(raw)}")
    return raw


def _describe(raw: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    for kind, name in names.items():
        if isinstance(raw, kind):
            return f"{name} ({raw!r})"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, Mapping):
        return "a table"
    return type(raw).__name__


def describe_fields(kind: type) -> list[tuple[str, str, str]]:
    """(key, type, default) rows for documentation of a settings dataclass."""
    hints = typing.get_type_hints(kind)
    rows = []
    for field in dataclasses.fields(kind):
        if field.default is not dataclasses.MISSING:
            default = repr(field.default)
        elif field.default_factory is not dataclasses.MISSING:
            default = repr(field.default_factory())
        else:
            default = "(required)"
        rows.append((field.name, _type_name(hints[field.name]), default))
    return rows


def _type_name(kind: Any) -> str:
    text = str(kind).replace("<class '", "").replace("'>", "")
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", text)
