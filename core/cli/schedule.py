"""`python -m core schedule show|set|off`: each module's scheduled publish, from the command line.

    python -m core schedule show
    python -m core schedule set --module manpower --daily 02:00 --days-back 7 --approved-only
    python -m core schedule set --module timecard --every 2h --days-back 3
    python -m core schedule off --module manpower
    python -m core schedule tick   # queue what is due now (a worker does so each minute), e.g. from cron
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from core.cli.arguments import bounded
from core.cli.common import command_context
from core.db import utcnow
from core.errors import ValidationError
from core.jobs.schedules import MAX_DAYS_BACK, parse_cadence
from core.jobs.scheduling import (
    DEFAULT_DAYS_BACK,
    ScheduleInput,
    ScheduleView,
    run_due_schedules,
    schedules,
    set_schedule,
    turn_off,
)
from core.models.publishing import PublishModule

MODULES = [module.value for module in PublishModule]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("schedule", help="show or change the modules' scheduled publishes",
                                   description="Scheduled publishes: every N hours or daily at HH:MM in the "
                                               "company's time zone, over the last N days.")
    commands = parser.add_subparsers(dest="schedule_command", required=True, metavar="<show|set|off|tick>")
    commands.add_parser("show", help="each enabled module's schedule and next run").set_defaults(func=run_show)
    change = commands.add_parser("set", help="turn a module's schedule on, or change it")
    change.add_argument("--module", choices=MODULES, required=True)
    cadence = change.add_mutually_exclusive_group(required=True)
    cadence.add_argument("--every", type=_checked("every"), metavar="Nh", help="every N hours, 1h to 24h")
    cadence.add_argument("--daily", type=_checked("daily"), metavar="HH:MM", help="each day at this local time")
    change.add_argument("--days-back", type=bounded(1, MAX_DAYS_BACK), default=DEFAULT_DAYS_BACK,
                        help=f"the catch-up window: the last N days up to today (default {DEFAULT_DAYS_BACK})")
    change.add_argument("--approved-only", action="store_true",
                        help="only job-site weeks Approved (or in Publish) on the payroll board")
    change.set_defaults(func=run_set)
    off = commands.add_parser("off", help="turn a module's schedule off (its settings are kept)")
    off.add_argument("--module", choices=MODULES, required=True)
    off.set_defaults(func=run_off)
    commands.add_parser("tick", help="queue the scheduled runs due now (a running worker does so each minute)"
                        ).set_defaults(func=run_tick)


def _checked(name: str) -> Callable[[str], str]:
    """An argument type refusing a cadence `parse_cadence` would refuse, before the database is opened."""

    def parse(text: str) -> str:
        try:
            parse_cadence(every=text) if name == "every" else parse_cadence(daily=text)
        except ValidationError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return text

    parse.__name__ = name
    return parse


def run_show(args: argparse.Namespace) -> int:
    ctx = command_context()
    found = schedules(ctx.engine, now=utcnow())
    if not found:
        print("No module is enabled; enable one on Administration > Procore setup.")
    for view in found:
        print(describe(view))
    return 0


def describe(view: ScheduleView) -> str:
    """One line per module: its schedule, next run and what the last run queued."""
    line = f"{view.module.value:<10} {view.describe()}"
    if view.next_run is not None:
        line += f" · next {view.next_run:%Y-%m-%d %H:%M} UTC"
    return line + (f" · last {view.last_outcome}" if view.last_outcome else "")


def run_set(args: argparse.Namespace) -> int:
    ctx = command_context()
    wanted = ScheduleInput(args.module, every=args.every, daily=args.daily, days_back=args.days_back,
                           approved_only=args.approved_only)
    print(describe(set_schedule(ctx.engine, wanted, actor=ctx.actor)))
    return 0


def run_off(args: argparse.Namespace) -> int:
    ctx = command_context()
    turn_off(ctx.engine, module=args.module, actor=ctx.actor)
    print(f"{args.module} schedule off.")
    return 0


def run_tick(args: argparse.Namespace) -> int:
    ctx = command_context()
    queued = run_due_schedules(ctx.settings, ctx.engine, now=utcnow())
    print(f"Queued jobs {', '.join(map(str, queued))}." if queued else "Nothing is due.")
    return 0
