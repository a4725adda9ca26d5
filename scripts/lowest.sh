#!/usr/bin/env bash
# The suite once more, on the oldest versions pyproject.toml allows (its `>=` floors pinned with
# a constraints file, in a second virtualenv), so that the floors apps install beside are true.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${READINESS_LOWEST_VENV:-$ROOT/.venv-lowest}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
"$VENV/bin/python" -m pip install --quiet packaging
"$VENV/bin/python" "$ROOT/scripts/floors.py" test > "$CONSTRAINTS"
"$VENV/bin/python" -m pip install --quiet -c "$CONSTRAINTS" -e "$ROOT[test]"
echo "lowest allowed versions:" && tr '\n' ' ' < "$CONSTRAINTS" && echo
cd "$ROOT"
exec "$VENV/bin/python" -m pytest -n 2 -q "$@"
