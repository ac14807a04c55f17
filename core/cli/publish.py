"""`python -m core publish`, `status` and `audit`: publishing from the command line.

    python -m core publish --module manpower --from 2026-11-16 --to 2026-11-20 --job-site 1001 --dry-run
    python -m core status --module timecard --from 2026-11-16 --to 2026-11-20
    python -m core audit --run 12
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlmodel import col, select

from core.cli.arguments import MAX_RANGE_DAYS, check_range, day, local_id, text_value
from core.cli.common import CommandContext, command_context
from core.db import session_scope
from core.errors import ValidationError
from core.models import JobSite
from core.models.publishing import PublishModule, PublishStatus
from core.publishing import (
    OPERATION_LABELS,
    PublishAction,
    PublishRequest,
    Step,
    attempts_frame,
    publish,
    refresh,
    status_counts,
)
from core.publishing.status import label

JOB_SITE_NUMBER_LENGTH = int(JobSite.__table__.c.number.type.length)  # type: ignore[attr-defined]
MODULES = [module.value for module in PublishModule]
ACTIONS = {"publish": PublishAction.PUBLISH, "republish": PublishAction.REPUBLISH,
           "force": PublishAction.FORCE_PUBLISH, "keep-procore": PublishAction.KEEP_PROCORE}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "publish", help="publish a module's entries of a date range to Procore",
        description="Refresh the entries of the range from the time clock, then publish them. Publish creates "
        "new entries, updates changed ones and deletes removed ones, but never overwrites a record someone "
        "changed in Procore; --action force does, and --action keep-procore keeps Procore's version instead "
        "(the record as it stands becomes what was published). Exit status 1 when an entry failed.",
    )
    _range_arguments(parser)
    parser.add_argument("--action", choices=list(ACTIONS), default="publish",
                        help="publish (default), republish (failed and deleted entries), force (overwrite Procore) "
                        "or keep-procore (accept records changed in Procore as they stand)")
    parser.add_argument("--force", action="store_const", const="force", dest="action", help="same as --action force")
    parser.add_argument("--dry-run", action="store_true", help="show what would be sent, send nothing")
    parser.add_argument("--background", action="store_true",
                        help="queue it for a worker (python -m core worker) and print the job id")
    parser.set_defaults(func=run_publish)

    status = subparsers.add_parser(
        "status", help="count a module's entries per status for a date range",
        description="Refresh the entries of the range from the time clock and count them per status and job site.",
    )
    _range_arguments(status)
    status.set_defaults(func=run_status)

    audit = subparsers.add_parser(
        "audit", help="list the publish attempts of a run or of an entry",
        description="The audit trail: who tried what, when, with which body, and what Procore answered.",
    )
    which = audit.add_mutually_exclusive_group(required=True)
    which.add_argument("--run", type=local_id, help="a run id (publish prints it)")
    which.add_argument("--entry", type=local_id, help="an entry id")
    audit.add_argument("--bodies", action="store_true", help="also print each request body")
    audit.set_defaults(func=run_audit)


def _range_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--module", required=True, choices=MODULES)
    parser.add_argument("--from", dest="start", required=True, type=day, help="first work date (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", required=True, type=day,
                        help=f"last work date (YYYY-MM-DD; at most {MAX_RANGE_DAYS} days after --from)")
    parser.add_argument("--job-site", action="append", metavar="NUMBER", type=text_value(JOB_SITE_NUMBER_LENGTH),
                        help="only this job site (repeatable)")


def _sites(ctx: CommandContext, numbers: list[str] | None) -> frozenset[int] | None:
    if not numbers:
        return None
    with session_scope(ctx.engine) as session:
        found = dict(session.exec(select(JobSite.number, JobSite.id).where(col(JobSite.number).in_(numbers))).all())
    unknown = sorted(set(numbers) - set(found))
    if unknown:
        raise ValidationError(f"No job site numbered {', '.join(unknown)}.")
    return frozenset(int(site_id) for site_id in found.values() if site_id is not None)


def run_publish(args: argparse.Namespace) -> int:
    check_range(args.start, args.end)
    if args.background and args.dry_run:
        raise ValidationError("--background queues a publish for a worker; a --dry-run prints here: give one.")
    ctx = command_context()
    request = PublishRequest(module=PublishModule(args.module), start=args.start, end=args.end,
                             action=ACTIONS[args.action], job_site_ids=_sites(ctx, args.job_site))
    if args.background:
        return _queue(ctx, request)

    def progress(done: int, total: int, summary: str) -> None:
        print(f"  {done}/{total} · {summary}")

    report = publish(ctx.settings, ctx.engine, request, actor=ctx.actor, dry_run=args.dry_run, progress=progress)
    numbers = _site_numbers(ctx)
    for step in report.steps:
        if args.dry_run or step.message:
            print(_describe(step, numbers))
    print(report.summary())
    if report.run_id is not None:
        print(f"Run {report.run_id} is in the audit trail.")
    return 1 if report.problems or report.error else 0


def _queue(ctx: CommandContext, request: PublishRequest) -> int:
    from core.jobs import enqueue_publish
    from core.models.jobs import JobTrigger

    job_id = enqueue_publish(ctx.settings, ctx.engine, request, actor=ctx.actor, trigger=JobTrigger.CLI)
    print(f"Job {job_id} queued; python -m core jobs list shows its progress.")
    return 0


def _site_numbers(ctx: CommandContext) -> dict[int, str]:
    with session_scope(ctx.engine) as session:
        return {int(site_id): number for site_id, number in session.exec(select(JobSite.id, JobSite.number)).all()
                if site_id is not None}


def _describe(step: Step, numbers: dict[int, str]) -> str:
    entry = step.entry
    what = f"job site {numbers.get(entry.job_site_id, entry.job_site_id)} {entry.work_date} (entry {entry.id}): " \
           f"{OPERATION_LABELS[step.operation]}"
    if step.before and step.after:
        changes = {name: (step.before.get(name), value) for name, value in step.after.items()
                   if step.before.get(name) != value}
        what += " " + ", ".join(f"{name} {old!r} → {new!r}" for name, (old, new) in changes.items())
    elif step.after:
        what += " " + ", ".join(f"{name}={value!r}" for name, value in step.after.items())
    return f"  {what}" + (f" ({step.message})" if step.message else "")


def run_status(args: argparse.Namespace) -> int:
    check_range(args.start, args.end)
    ctx = command_context()
    module = PublishModule(args.module)
    sites = _sites(ctx, args.job_site)
    refresh(ctx.engine, module=module, start=args.start, end=args.end, job_site_ids=sites)
    with session_scope(ctx.engine) as session:
        counts = status_counts(session, module=module, start=args.start, end=args.end, job_site_ids=sites)
    numbers = _site_numbers(ctx)
    if counts.empty:
        print("No entries in this range.")
        return 0
    statuses = [status.value for status in PublishStatus if counts[status.value].sum()]
    print(f"{'job site':<10}" + "".join(f"{label(status):>17}" for status in statuses) + f"{'total':>8}")
    per_site = counts.groupby("job_site_id")[[*statuses, "total"]].sum()
    for site_id, row in zip(per_site.index.astype(int), per_site.to_dict("records"), strict=True):
        print(f"{numbers.get(int(site_id), site_id):<10}" + "".join(f"{row[s]:>17}" for s in statuses)
              + f"{row['total']:>8}")
    totals = per_site.sum()
    print(f"{'all':<10}" + "".join(f"{totals[s]:>17}" for s in statuses) + f"{totals['total']:>8}")
    return 0


def run_audit(args: argparse.Namespace) -> int:
    ctx = command_context()
    with session_scope(ctx.engine) as session:
        trail = attempts_frame(session, entry_id=args.entry, run_id=args.run)
    if trail.empty:
        print("No attempts recorded.")
        return 1
    for row in trail.to_dict("records"):
        status_code = row["status_code"]
        code = f" {int(status_code)}" if status_code == status_code and status_code else ""  # NaN: no answer
        message = f": {row['message']}" if row["message"] else ""
        print(f"{row['attempted_at']:%Y-%m-%d %H:%M:%S} run {row['run_id']} entry {row['entry_id']} "
              f"{row['work_date']} {row['action']}{code} → {row['result']} by {row['requested_by']}{message}")
        if args.bodies and row["request_body"]:
            print(f"    {row['request_body']}")
    return 0
