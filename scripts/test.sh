#!/usr/bin/env bash
# The plugin's own checks: lint, types, then the test suite on two xdist workers.
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
"$VENV/bin/ruff" check src tests benchmarks scripts examples
"$VENV/bin/ruff" format --check src tests benchmarks scripts examples
"$VENV/bin/mypy" src
exec "$VENV/bin/python" -m pytest -n 2 "$@"
