"""The command line: `python -m core <command>`, one entry point for automation.

Each command lives in its own module exposing `register(subparsers)`; the
module sets `func` on its parser, which receives the parsed arguments and
returns the process exit status. Whatever goes wrong ends as one `error: …` line on stderr and
exit status 2: a refused argument (argparse, or a check of ours), one of our errors, a database
error, or anything unexpected. No traceback reaches the terminal (`--verbose` logs it).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from core.cli.arguments import CommandParser
from core.errors import ProcoreConnectError
from core.procore.redaction import redact

log = logging.getLogger(__name__)

# Command modules, in the order `--help` lists them.
COMMAND_MODULES = (
    "core.cli.demo_data",
    "core.cli.connect",
    "core.cli.setup",
    "core.cli.import_command",
    "core.cli.mapping",
    "core.cli.publish",
    "core.cli.reconcile",
    "core.cli.undo",
    "core.cli.jobs",
    "core.cli.schedule",
    "core.cli.worker",
)


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="python -m core", description="Procore Connect command line.")
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
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the one place every failure becomes a plain line
        print(f"error: {_plain(error)}", file=sys.stderr)
        log.info("details of the error above", exc_info=True)
        return 2


def _plain(error: Exception) -> str:
    """One line saying what failed, with secrets masked."""
    if isinstance(error, ProcoreConnectError):
        text = str(error)
    elif isinstance(error, SQLAlchemyError):
        cause = getattr(error, "orig", None) or error
        text = f"the database refused the operation ({type(cause).__name__}: {_first_line(cause)})"
    elif isinstance(error, OSError):
        text = f"{error.strerror or type(error).__name__}" + (f": {error.filename}" if error.filename else "")
    else:
        text = f"unexpected {type(error).__name__}: {_first_line(error)} (run with --verbose for details)"
    return " ".join(str(redact(text)).split())


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:300] if lines else "no details"
