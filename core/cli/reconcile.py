"""`python -m core reconcile`: the days where Procore and the time clock disagree, for cron.

    python -m core reconcile --module manpower --from 2026-11-16 --to 2026-11-20 [--job-site 1001]

Exit status 1 when a day drifts, 0 when none does, 2 for a bad argument.
"""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.arguments import check_range
from core.cli.common import command_context
from core.cli.publish import _range_arguments, _sites
from core.dashboards.queries import job_site_labels
from core.db import session_scope
from core.models.publishing import PublishModule
from core.reconcile import reconcile
from core.reconcile.report import day_line, detail_line


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "reconcile", help="compare a module's range with what Procore holds now",
        description="Refresh the entries of the range from the time clock, read Procore's records of the range "
        "(list calls only) and print each job-site day where they disagree, with the records behind it. "
        "Exit status 1 when a day drifts.",
    )
    _range_arguments(parser)
    parser.set_defaults(func=run_reconcile)


def run_reconcile(args: argparse.Namespace) -> int:
    check_range(args.start, args.end)
    ctx = command_context()
    sites = _sites(ctx, args.job_site)
    result = reconcile(ctx.settings, ctx.engine, module=PublishModule(args.module), start=args.start, end=args.end,
                       job_site_ids=sites)
    with session_scope(ctx.engine) as session:
        labels = job_site_labels(session)
    for day in result.drifting:
        print(day_line(day, labels.get(day.job_site_id, str(day.job_site_id))))
        for detail in day.details:
            print(f"  {detail_line(detail, result.record_label)}")
    drifting = len(result.drifting)
    print(f"{drifting} of {len(result.days)} job-site days drift ({result.projects} Procore projects read).")
    return 1 if drifting else 0
