"""The command line: `python -m core <command>`, one entry point for automation.

Each command lives in its own module exposing `register(subparsers)`; the
module sets `func` on its parser, which receives the parsed arguments and
returns the process exit status.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from core.errors import ProcoreConnectError

# Command modules, in the order `--help` lists them.
COMMAND_MODULES = (
    "core.cli.demo_data",
    "core.cli.connect",
    "core.cli.setup",
    "core.cli.import_command",
    "core.cli.mapping",
    "core.cli.publish",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Procore Connect command line.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return int(args.func(args))
    except ProcoreConnectError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
