"""`python -m core jobs list|cancel`: the publish jobs of the queue, from the command line.

    python -m core jobs list --status running
    python -m core jobs cancel 12
"""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.arguments import local_id
from core.cli.common import command_context
from core.jobs import cancel, jobs
from core.models.jobs import JobState, PublishJob

LISTED_STATES = [state.value for state in JobState]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("jobs", help="list or cancel publish jobs",
                                   description="Publish jobs: queued, running and ended, newest first.")
    commands = parser.add_subparsers(dest="jobs_command", required=True, metavar="<list|cancel>")
    listing = commands.add_parser("list", help="the newest jobs, with their progress")
    listing.add_argument("--status", choices=LISTED_STATES, help="only jobs in this state")
    listing.set_defaults(func=run_list)
    stop = commands.add_parser("cancel", help="cancel a queued job, or stop a running one after its in-flight writes")
    stop.add_argument("job_id", type=local_id, metavar="ID")
    stop.set_defaults(func=run_cancel)


def run_list(args: argparse.Namespace) -> int:
    ctx = command_context()
    found = jobs(ctx.engine, states=[JobState(args.status)] if args.status else None)
    if not found:
        print("No publish jobs.")
        return 0
    for job in found:
        print(describe(job))
    return 0


def describe(job: PublishJob) -> str:
    """One line per job: id, state, scope, who and how, progress."""
    sites = f" job sites {','.join(map(str, job.job_site_ids))}" if job.job_site_ids else ""
    progress = f" {job.done}/{job.total}" if job.total else ""
    detail = job.error or job.summary
    return (f"{job.id:>6} {job.state:<11} {job.module} {job.action} {job.start_date}..{job.end_date}{sites} "
            f"({job.trigger}, {job.requested_by}){progress}" + (f" · {detail}" if detail else ""))


def run_cancel(args: argparse.Namespace) -> int:
    ctx = command_context()
    state = cancel(ctx.settings, ctx.engine, args.job_id, actor=ctx.actor)
    print(f"Job {args.job_id} cancelled." if state is JobState.CANCELLED else
          f"Job {args.job_id} stops after its writes in flight.")
    return 0
