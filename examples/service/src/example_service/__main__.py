"""`python -m example_service --port N`: serve on 127.0.0.1 until interrupted."""

from __future__ import annotations

import argparse
import logging

from example_service.app import serve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    serve(arguments.host, arguments.port)


if __name__ == "__main__":
    main()
