"""Command line: ``python -m emulator --port 8765 [--host 127.0.0.1] [--state PATH|:memory:] [--seed N]``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from emulator.app import DEFAULT_SEED, create_app
from emulator.server import quiet_logs


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m emulator", description="Local Procore emulator")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state", default="data/procore_emulator.sqlite3",
                        help="SQLite state file, or :memory: (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help="seed used when the state is empty (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    quiet_logs()
    print(f"Procore emulator on http://{args.host}:{args.port} (state {args.state}, seed {args.seed})")
    uvicorn.run(create_app(args.state, args.seed), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
