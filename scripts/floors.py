"""Print a pip constraints file that pins every direct dependency to its floor in pyproject.toml.

`PIP_CONSTRAINT=<this output> pip install -e ".[test]"` then installs the oldest versions the
project claims to support (transitive dependencies still resolve freely: pip's equivalent of
`uv pip install --resolution lowest-direct`), so `scripts/lowest.sh` can prove that the floors
are true. Runs on a bare Python 3.11 (tomllib only), before any virtualenv exists. A
requirement without one `>=` floor is an error: every dependency must say how old it may be.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*>=\s*([0-9][^,;\s]*)\s*$")


def floors(project: dict[str, object], extras: list[str]) -> list[str]:
    """`name==floor` for the runtime dependencies and the named extras, self-references skipped."""
    own = str(project["name"])
    optional = project.get("optional-dependencies", {})
    texts = list(project.get("dependencies", []))  # type: ignore[call-overload]
    for extra in extras:
        texts += optional[extra]  # type: ignore[index]
    found: dict[str, str] = {}
    for text in texts:
        if text.startswith(f"{own}["):
            continue
        match = _FLOOR.match(text)
        if match is None:
            raise SystemExit(f"pyproject.toml: {text!r} is not `name>=floor`")
        found[match.group(1).lower()] = match.group(3)
    return [f"{name}=={version}" for name, version in sorted(found.items())]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("extras", nargs="*", help="extras whose floors are pinned too")
    options = parser.parse_args()
    project = tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]
    sys.stdout.write("".join(f"{line}\n" for line in floors(project, options.extras)))


if __name__ == "__main__":
    main()
