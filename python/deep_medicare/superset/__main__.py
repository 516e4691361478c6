"""`python -m deep_medicare.superset up|start|bootstrap|stop`: what `make superset` and `make superset-stop`
run. Paths and settings come from the command line (the Makefile passes them from environment variables)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from deep_medicare.superset.api import Superset, SupersetError
from deep_medicare.superset.bootstrap import bootstrap, warehouse_uri
from deep_medicare.superset.server import ADMIN_USER, Server, SupersetStartError


def main(argv: list[str] | None = None) -> int:
    """Parse the command and run it; exit 1 with one message when Superset fails."""
    parser = argparse.ArgumentParser(prog="python -m deep_medicare.superset", description=__doc__)
    parser.add_argument("command", choices=("up", "start", "bootstrap", "stop"))
    parser.add_argument("--venv", type=Path, required=True, help="Superset's own environment")
    parser.add_argument("--config", type=Path, required=True, help="superset_config.py")
    parser.add_argument("--state-dir", type=Path, required=True, help="Superset's metadata folder")
    parser.add_argument("--warehouse", type=Path, required=True, help="the served DuckDB file")
    parser.add_argument("--target", type=Path, default=Path("target"), help="dbt's target folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--admin-password", default="admin")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    server = Server(args.venv, args.config, args.state_dir, args.host, args.port)

    if args.command == "stop":
        print("Stopped Superset." if server.stop() else "Superset was not running.")
        return 0
    try:
        if args.command in ("up", "start"):
            if server.initialise(args.admin_password):
                print(f"Initialised Superset's metadata in {args.state_dir}")
            print(("Started" if server.start() else "Already running:") + f" Superset on {server.url}")
        if args.command in ("up", "bootstrap"):
            if not args.warehouse.exists():
                print(f"No warehouse at {args.warehouse}: run `make build` first.", file=sys.stderr)
                return 1
            provisioned = bootstrap(
                Superset(server.url, ADMIN_USER, args.admin_password), args.warehouse, args.target
            )
            print(
                f"\nDashboard: {provisioned.dashboard_url}\n"
                f"Login:     {ADMIN_USER} / (SUPERSET_ADMIN_PASSWORD, default admin)\n"
                f"Database:  {warehouse_uri(args.warehouse)}\n"
                f"Datasets:  {len(provisioned.datasets)}, charts: {len(provisioned.charts)}\n"
                "Stop it:   make superset-stop"
            )
    except (SupersetStartError, SupersetError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
