#!/usr/bin/env bash
# The main job: install the plugin and run the readiness gate on the bundled example service.
source "$(dirname "$0")/_venv.sh"
cd "$ROOT/examples/service"
exec "$VENV/bin/python" -m pytest --readiness --readiness-report readiness-report.json "$@"
