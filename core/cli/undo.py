"""`python -m core undo --run ID`: take back a publish run, after showing what that does.

    python -m core undo --run 42 [--dry-run] [--yes] [--force]

Prints the plan first: the records the run created (to delete), updated (to restore) and deleted (to write
again), and those left alone with the reason. `--dry-run` stops there; without `--yes` nothing is written
either (exit status 1 when there is something to undo, so a script notices); `--yes` undoes it.
"""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.arguments import bounded
from core.cli.common import command_context
from core.publishing.undo import UndoItem, UndoKind, UndoPlan, plan_undo, undo_run

MAX_RUN_ID = 2**31 - 1
DONE = {UndoKind.DELETE: "deleted", UndoKind.RESTORE: "restored", UndoKind.RECREATE: "written again"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "undo", help="take back a publish run: delete what it created, restore what it updated",
        description="Undo a publish run: the records it created are deleted, those it updated get back the fields "
        "our previous write set, those it deleted are written again. Records changed in Procore since the run, "
        "approved or gone are left alone and listed (unless --force). Undoing a run twice does nothing.",
    )
    parser.add_argument("--run", type=bounded(1, MAX_RUN_ID), required=True, metavar="ID",
                        help="the publish run's id (python -m core jobs list, or the Run history page)")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--dry-run", action="store_true", help="print the plan; change nothing")
    choice.add_argument("--yes", action="store_true", help="undo the run as the plan says")
    parser.add_argument("--force", action="store_true",
                        help="also undo records changed in Procore since the run (never approved ones)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    ctx = command_context()
    if not args.yes:
        plan = plan_undo(ctx.settings, ctx.engine, run_id=args.run, actor=ctx.actor, force=args.force)
        print("\n".join(plan_lines(plan)))
        if plan.undone_by is not None or args.dry_run:
            print("Dry run: nothing was changed." if args.dry_run else "")
            return 0
        if not any(item.left_alone is None for item in plan.items):
            return 0
        print("Nothing was changed: rerun with --yes to undo the run.")
        return 1
    report = undo_run(ctx.settings, ctx.engine, run_id=args.run, actor=ctx.actor, force=args.force)
    print("\n".join(plan_lines(report.plan)))
    if report.plan.undone_by is None:
        done = ", ".join(f"{count} {DONE[kind]}" for kind, count in report.done.items()) or "nothing"
        print(f"Undone as run {report.undo_run_id}: {done}.")
        for item, message in report.failed:
            print(f"  failed: {_described(item)}: {message}")
    return 1 if report.failed else 0


def plan_lines(plan: UndoPlan) -> list[str]:
    """The plan as lines for a terminal."""
    if plan.undone_by is not None:
        return [f"Run {plan.run_id} was undone already (by run {plan.undone_by}): nothing to do."]
    if not plan.items:
        return [f"Run {plan.run_id} ({plan.module.value}) wrote nothing to Procore: nothing to undo."]
    counts = ", ".join(f"{count} to {kind}" if kind != "left alone" else f"{count} left alone"
                       for kind, count in plan.counts().items())
    lines = [f"Undo of run {plan.run_id} ({plan.module.value}): {counts}."]
    lines += [f"  {item.kind.value}: {_described(item)}" for item in plan.items if item.left_alone is None]
    lines += [f"  left alone: {_described(item)}: {item.left_alone}" for item in plan.items if item.left_alone]
    return lines


def _described(item: UndoItem) -> str:
    record = f"Procore record {item.procore_id}" if item.procore_id else "a record"
    return f"{record} of {item.work_date.isoformat()} (job site {item.job_site_id}, entry {item.natural_key})"
