"""`python -m example_service --port N [--dependency-url URL]`: serve until interrupted.

The dependency (the supplier) defaults to the `SUPPLIER_URL` environment variable; without one,
readiness depends on nothing but the process itself.
"""

from __future__ import annotations

import argparse
import logging
import os

from example_service import tracing
from example_service.app import serve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--dependency-url",
        default=os.environ.get("SUPPLIER_URL"),
        help="the supplier /readyz asks (default: $SUPPLIER_URL)",
    )
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    provider = tracing.configure()
    try:
        serve(arguments.host, arguments.port, arguments.dependency_url)
    finally:
        provider.shutdown()  # exports the spans still buffered


if __name__ == "__main__":
    main()
