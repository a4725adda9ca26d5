"""SPDX licence expressions: parsed by license-expression, judged alternative by alternative.

`packaging.licenses` (24.2+) only validates; a policy has to know that `MIT OR GPL-3.0-only`
leaves a choice and `MIT AND GPL-3.0-only` does not, so the expression tree comes from
license-expression (already installed with pip-audit). Licences are sorted into the families
compatibility depends on; the rules are the well-known ones, written down in
docs/checks/licenses.md, not legal advice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from typing import Any, Literal

from license_expression import (  # type: ignore[import-untyped]
    ExpressionError,
    Licensing,
    get_spdx_licensing,
)

Family = Literal["permissive", "weak-copyleft", "strong-copyleft", "network-copyleft", "other"]

_PERMISSIVE = re.compile(
    r"^(MIT|MIT-0|MIT-CMU|0BSD|BSD-.*|Apache-.*|ISC|PSF-2\.0|Python-2\.0.*|CNRI-Python|Unlicense|"
    r"Zlib|CC0-1\.0|BSL-1\.0|HPND.*|X11|WTFPL|UPL-1\.0|NCSA|Artistic-2\.0|PostgreSQL|"
    r"BlueOak-1\.0\.0|Unicode-.*)$"
)
_WEAK = re.compile(r"^(LGPL-.*|MPL-.*|EPL-.*|CDDL-.*|MS-RL|EUPL-.*)$")
_STRONG = re.compile(r"^GPL-.*$")
_NETWORK = re.compile(r"^(AGPL-.*|SSPL-1\.0|OSL-3\.0)$")
_LINKING_EXCEPTIONS = ("Classpath-exception", "GCC-exception", "LLVM-exception")
_GPL2_ONLY_CONFLICTS = re.compile(r"^(Apache-2\.0|GPL-3\.0.*|LGPL-3\.0.*|AGPL-.*)$")


@cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


@dataclass(frozen=True)
class Expression:
    """A valid SPDX expression and its tree."""

    text: str
    tree: Any

    def holds(self, accept: Callable[[str], bool]) -> bool:
        """Whether some choice the expression leaves (OR) meets `accept` on every part (AND)."""
        return _holds(self.tree, accept)

    def keys(self) -> list[str]:
        """Every licence id the expression names (with `WITH` exceptions as `ID WITH EXC`)."""
        found: list[str] = []
        _walk(self.tree, found)
        return found


def parse(text: str) -> Expression | None:
    """The expression in canonical case, or None when `text` is not a valid SPDX expression."""
    try:
        tree = _licensing().parse(text, validate=True, strict=True)
    except (ExpressionError, TypeError, ValueError):
        return None
    if tree is None:
        return None
    return Expression(text=str(tree), tree=tree)


def family(key: str) -> Family:
    """Which family a licence id belongs to; a GPL with a linking exception is weak copyleft."""
    base, _, exception = key.partition(" WITH ")
    if _NETWORK.match(base):
        return "network-copyleft"
    if _STRONG.match(base):
        return "weak-copyleft" if exception.startswith(_LINKING_EXCEPTIONS) else "strong-copyleft"
    if _WEAK.match(base):
        return "weak-copyleft"
    if _PERMISSIVE.match(base):
        return "permissive"
    return "other"


def compatible(project: str, dependency: str) -> bool:
    """Whether code under licence id `project` may be distributed depending on `dependency`.

    Copyleft reaches the combined work: a permissive or weak-copyleft project cannot require a
    GPL (or AGPL) dependency; GPL-2.0-only cannot take Apache-2.0 or any v3 licence; GPL-2.0
    cannot take AGPL. Everything else (permissive and weak-copyleft dependencies) is compatible.
    """
    mine, theirs = family(project), family(dependency)
    base = project.partition(" WITH ")[0]
    if theirs in ("strong-copyleft", "network-copyleft") and mine not in (
        "strong-copyleft",
        "network-copyleft",
    ):
        return False
    if theirs == "network-copyleft" and mine == "strong-copyleft" and base.startswith("GPL-2.0"):
        return False
    return not (base == "GPL-2.0-only" and _GPL2_ONLY_CONFLICTS.match(dependency.partition(" ")[0]))


def matches(key: str, patterns: list[str]) -> bool:
    """Whether a licence id is named by one of `patterns` (ids or globs, `GPL-*`)."""
    base = key.partition(" WITH ")[0]
    return any(fnmatchcase(key, pattern) or fnmatchcase(base, pattern) for pattern in patterns)


def _holds(tree: Any, accept: Callable[[str], bool]) -> bool:
    licensing = _licensing()
    if isinstance(tree, licensing.OR):
        return any(_holds(part, accept) for part in tree.args)
    if isinstance(tree, licensing.AND):
        return all(_holds(part, accept) for part in tree.args)
    return accept(_key(tree))


def _walk(tree: Any, found: list[str]) -> None:
    licensing = _licensing()
    if isinstance(tree, licensing.OR | licensing.AND):
        for part in tree.args:
            _walk(part, found)
    else:
        found.append(_key(tree))


def _key(symbol: Any) -> str:
    exception = getattr(symbol, "exception_symbol", None)
    if exception is not None:
        return f"{symbol.license_symbol.key} WITH {exception.key}"
    return str(symbol.key)
