#!/usr/bin/env bash
# The suite once more, on the oldest versions pyproject.toml allows (its `>=` floors pinned with
# a constraints file, in a second virtualenv), so that the floors apps install beside are true.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
python3 "$ROOT/scripts/floors.py" test > "$CONSTRAINTS"
echo "lowest allowed versions: $(tr '\n' ' ' < "$CONSTRAINTS")"
export PIP_CONSTRAINT="$CONSTRAINTS"
export READINESS_VENV="${READINESS_LOWEST_VENV:-$ROOT/.venv-lowest}"
source "$ROOT/scripts/_venv.sh"
cd "$ROOT"
exec "$VENV/bin/python" -m pytest -n 2 -q "$@"
