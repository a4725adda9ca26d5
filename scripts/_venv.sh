# Sourced by the other scripts: a virtualenv in .venv with the plugin and its development extras
# (`READINESS_EXTRAS` chooses others, e.g. `test,fast` for the lowest-versions run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${READINESS_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
"$VENV/bin/python" -m pip install --quiet -e "$ROOT[${READINESS_EXTRAS:-dev}]"
