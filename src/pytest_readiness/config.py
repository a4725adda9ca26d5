"""Read `[tool.readiness]` (or `readiness.toml`) and resolve it with the command line.

All validation happens here, before collection, so a typo stops the run with pytest's usage
error naming the file and the key instead of being ignored.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest

from pytest_readiness import settings as settings_loader
from pytest_readiness.attestations import Attestation
from pytest_readiness.check import Check
from pytest_readiness.model import Category, Severity
from pytest_readiness.reading import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_LINE_BYTES
from pytest_readiness.waivers import Waiver

FailOn = Literal["not-ready", "risks"]


@dataclass
class GateSettings:
    """The keys of `[tool.readiness]` that are not a check's own table."""

    select: list[str] = field(default_factory=list)
    """Run only these checks (ids or categories); empty runs all. `--readiness-select` wins."""
    skip: list[str] = field(default_factory=list)
    """Leave out these checks (ids or categories). `--readiness-skip` wins."""
    fail_on: FailOn = "not-ready"
    """The verdict that makes the exit status non-zero. `--readiness-fail-on` wins."""
    exclude: list[str] = field(default_factory=list)
    """Paths no check looks at (globs relative to the rootdir; a bare name matches anywhere)."""
    waivers: list[Waiver] = field(default_factory=list)
    """Accepted findings, each with a reason and an expiry: see below."""
    attestations: list[Attestation] = field(default_factory=list)
    """A person's word for review items code cannot prove, each with evidence and an expiry."""
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    """No check reads a larger file; each check lists the ones it left (`files_over_cap`)."""
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    """No check reads a file with a longer line (parsers slow down badly on one huge line)."""

    def validate(self) -> None:
        if self.max_file_bytes <= 0 or self.max_line_bytes <= 0:
            raise ValueError("max_file_bytes and max_line_bytes must be positive numbers of bytes")


GATE_KEYS = frozenset(field.name for field in dataclasses.fields(GateSettings))
COMMON_CHECK_KEYS = {"enabled": bool, "severity": Severity}


@dataclass(frozen=True)
class CheckConfig:
    settings: Any
    enabled: bool = True
    severity: Severity | None = None


@dataclass(frozen=True)
class ReadinessConfig:
    source: Path | None
    gate: GateSettings
    checks: Mapping[str, CheckConfig]


def find_table(rootdir: Path) -> tuple[Path | None, str, dict[str, Any]]:
    """The file, the key prefix used in messages, and the raw table (empty when unconfigured)."""
    pyproject = rootdir / "pyproject.toml"
    standalone = rootdir / "readiness.toml"
    table: dict[str, Any] = {}
    if pyproject.is_file():
        tool = _parse(pyproject).get("tool", {})
        table = tool.get("readiness", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise pytest.UsageError(f"{pyproject}: tool.readiness must be a table")
    if standalone.is_file():
        if table:
            raise pytest.UsageError(
                f"{standalone}: settings found in both readiness.toml and pyproject.toml "
                "[tool.readiness]; keep them in one place"
            )
        return standalone, "", _parse(standalone)
    return (pyproject if table else None), "tool.readiness", table


def _parse(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise pytest.UsageError(f"{path}: cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise pytest.UsageError(f"{path}: not valid TOML: {error}") from None


def load_config(rootdir: Path, check_classes: Sequence[type[Check]]) -> ReadinessConfig:
    source, prefix, table = find_table(rootdir)
    shown = str(source) if source else str(rootdir / "pyproject.toml")

    def key_of(name: str) -> str:
        return f"{prefix}.{name}" if prefix else name

    ids = {check.id for check in check_classes}
    unknown = sorted(set(table) - GATE_KEYS - ids)
    if unknown:
        allowed = ", ".join(sorted(GATE_KEYS | ids))
        raise pytest.UsageError(
            f"{shown}: {key_of(unknown[0])}: unknown key; allowed keys: {allowed}"
        )
    try:
        gate = settings_loader.load_dataclass(
            GateSettings, {k: v for k, v in table.items() if k in GATE_KEYS}, prefix or "(top)"
        )
        _check_names(gate, check_classes, prefix)
        checks = {
            check.id: _check_config(check, table.get(check.id), key_of(check.id))
            for check in check_classes
        }
    except settings_loader.SettingsError as error:
        raise pytest.UsageError(f"{shown}: {error}") from None
    return ReadinessConfig(source, gate, checks)


def _check_config(check: type[Check], raw: Any, key: str) -> CheckConfig:
    kind = check.Settings
    if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
        return CheckConfig(settings_loader.load(kind, [] if raw is None else raw, key))
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise settings_loader.SettingsError(key, "expected a table")
    common = {name: raw[name] for name in COMMON_CHECK_KEYS if name in raw}
    own = {name: value for name, value in raw.items() if name not in COMMON_CHECK_KEYS}
    return CheckConfig(
        settings=settings_loader.load_dataclass(kind, own, key),
        enabled=settings_loader.load(bool, common.get("enabled", True), f"{key}.enabled"),
        severity=(
            settings_loader.load(Severity, common["severity"], f"{key}.severity")
            if "severity" in common
            else None
        ),
    )


def _check_names(gate: GateSettings, check_classes: Sequence[type[Check]], prefix: str) -> None:
    """select/skip and waivers must name checks (or categories) that exist: typos fail loudly."""
    ids = {check.id for check in check_classes}
    names = selectable_names(check_classes)
    for key in ("select", "skip"):
        problem = unknown_selection(getattr(gate, key), names)
        if problem:
            raise settings_loader.SettingsError(f"{prefix}.{key}" if prefix else key, problem)
    if gate.attestations:
        from pytest_readiness.catalogue import load_catalogue

        catalogue = load_catalogue()
        for index, attestation in enumerate(gate.attestations):
            if catalogue.get(attestation.item) is None:
                key = f"attestations[{index}].item"
                raise settings_loader.SettingsError(
                    f"{prefix}.{key}" if prefix else key,
                    f"{attestation.item!r} is not an item of the readiness catalogue "
                    "(see docs/review.md for the list)",
                )
    for index, waiver in enumerate(gate.waivers):
        if waiver.check not in ids:
            raise settings_loader.SettingsError(
                f"{prefix}.waivers[{index}].check" if prefix else f"waivers[{index}].check",
                f"{waiver.check!r} is not a check id; known: {', '.join(sorted(ids))}",
            )


def parse_id_list(value: str | None, known: set[str], option: str) -> list[str] | None:
    """Split `--readiness-select a,b` and reject names that are neither ids nor categories."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    problem = unknown_selection(names, known)
    if problem:
        raise pytest.UsageError(f"{option}: {problem}")
    return names


def selectable_names(check_classes: Sequence[type[Check]]) -> set[str]:
    """What select/skip may name: every check id and every category."""
    return {check.id for check in check_classes} | {category.value for category in Category}


def unknown_selection(names: Sequence[str], known: set[str]) -> str | None:
    """The problem with the first name that is neither a check id nor a category, if any."""
    wrong = [name for name in names if name not in known]
    if not wrong:
        return None
    return f"{wrong[0]!r} is neither a check id nor a category; known: " + ", ".join(sorted(known))


def chosen(check_id: str, category: str, select: Sequence[str], skip: Sequence[str]) -> bool:
    """Whether select/skip (ids or categories) keep a check or a readiness-marked test."""
    if select and check_id not in select and category not in select:
        return False
    return check_id not in skip and category not in skip
