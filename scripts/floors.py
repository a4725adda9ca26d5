"""Print a pip constraints file that pins every direct dependency to its floor in pyproject.toml.

`pip install -c <(python scripts/floors.py test) -e ".[test]"` then installs the oldest versions
the project claims to support (transitive dependencies still resolve freely: pip's
equivalent of `uv pip install --resolution lowest-direct`), so `scripts/lowest.sh` can prove
that the floors are true. A requirement without a `>=` floor is an error: every dependency
must say how old it may be.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def floors(project: dict[str, object], extras: list[str]) -> list[str]:
    """`name==floor` for the runtime dependencies and the named extras, self-references skipped."""
    own = str(project["name"])
    optional = project.get("optional-dependencies", {})
    assert isinstance(optional, dict)
    texts = list(project.get("dependencies", []))  # type: ignore[call-overload]
    for extra in extras:
        texts += optional[extra]
    found: dict[str, str] = {}
    for text in texts:
        requirement = Requirement(text)
        if requirement.name == own:
            continue
        lowest = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        if len(lowest) != 1:
            raise SystemExit(f"pyproject.toml: {text!r} has no single `>=` floor")
        found[requirement.name] = lowest[0]
    return [f"{name}=={version}" for name, version in sorted(found.items())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extras", nargs="*", help="extras whose floors are pinned too")
    options = parser.parse_args()
    project = tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]
    sys.stdout.write("".join(f"{line}\n" for line in floors(project, options.extras)))


if __name__ == "__main__":
    main()
