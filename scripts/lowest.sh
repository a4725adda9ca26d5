#!/usr/bin/env bash
# The suite once more, on the oldest runtime dependencies pyproject.toml allows (their `>=`
# floors pinned with a constraints file, in a second virtualenv), so that the floors apps
# install the plugin beside are true. Test tools (the `test` extra) resolve as usual: their
# versions matter to contributors, not to the applications the plugin is installed into.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
python3 "$ROOT/scripts/floors.py" > "$CONSTRAINTS"
echo "lowest allowed versions: $(tr '\n' ' ' < "$CONSTRAINTS")"
export PIP_CONSTRAINT="$CONSTRAINTS"
# locust (the load tests' second engine) needs a newer pytest than the floor: left out here, and
# its tests say so (READINESS_WITHOUT_LOCUST) instead of failing.
export READINESS_EXTRAS="test,fast"
export READINESS_WITHOUT_LOCUST=1
export READINESS_VENV="${READINESS_LOWEST_VENV:-$ROOT/.venv-lowest}"
source "$ROOT/scripts/_venv.sh"
cd "$ROOT"
exec "$VENV/bin/python" -m pytest -n 2 -q "$@"
