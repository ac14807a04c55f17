"""`python -m core worker`: run publish jobs from the queue (the embedded SQLite queue, or Redis with JOBS_URL).

    python -m core worker --workers 2
    python -m core worker --until-idle     # CI and tests: return once the queue is empty
"""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.arguments import bounded
from core.cli.common import command_context
from core.jobs import run_worker

MAX_WORKERS = 32


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "worker", help="run queued publish jobs",
        description="Consume the job queue: each queued publish runs here, with its progress in the database. "
        "Any number of workers may share a Redis queue (JOBS_URL=redis://…); two never run the same publish.",
    )
    parser.add_argument("--workers", type=bounded(1, MAX_WORKERS), default=1, help="jobs run side by side (threads)")
    parser.add_argument("--until-idle", action="store_true", help="return once the queue is empty")
    parser.add_argument("--exit-with", type=bounded(1, 2**31 - 1), help=argparse.SUPPRESS)  # the app's process id
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    ctx = command_context()
    handled = run_worker(ctx.settings, workers=args.workers, until_idle=args.until_idle, exit_with=args.exit_with)
    if args.until_idle:
        print(f"Queue empty; {handled} job{'s' if handled != 1 else ''} handled.")
    return 0
