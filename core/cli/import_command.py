"""`python -m core import`: two-way import of Procore's lists, previewed first, with progress and a report.

Every run first prints what the import would change (`core.sync.import_preview`).
`--dry-run` stops there. Without `--yes`, an import whose changes would move
published work (a job site's new time zone moving time logs to another work
date) is refused, changing nothing: rerun with `--yes` to apply everything or
`--without-moving` to apply the rest. Changes that move nothing published apply
without asking, as they always did.
"""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.common import command_context, setup_state
from core.db import session_scope
from core.errors import ConfigurationError, ValidationError
from core.sync.import_changes import GROUPS, Owner
from core.sync.import_owners import save_owners
from core.sync.import_preview import preview_import, preview_lines
from core.sync.import_records import ImportReport
from core.sync.importer import STEPS, run_import


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import vendors, job sites, employees, cost codes and payroll items from Procore (two-way)",
        description="Import from the connected Procore company. Prints what it would change first. Safe to run "
        "again: it updates what changed and creates nothing twice; a run stopped half-way continues on the next one.",
    )
    parser.add_argument("--only", action="append", choices=STEPS, help="import only this list (repeatable)")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--dry-run", action="store_true", help="print what the import would change; change nothing")
    choice.add_argument("--yes", action="store_true", help="apply every change, also those moving published work")
    choice.add_argument("--without-moving", action="store_true",
                        help="apply every change except those moving published work (time zones asked about)")
    parser.add_argument("--owner", action="append", type=_owner, default=[], metavar="GROUP=OWNER",
                        help=f"save who owns a field group before importing (a dry run only previews with it): "
                             f"groups {', '.join(GROUPS)}; owners {', '.join(o.value for o in Owner)} "
                             "(repeatable: time_zones=ours)")
    parser.set_defaults(func=run)


def _owner(text: str) -> tuple[str, Owner]:
    group, _, owner = text.partition("=")
    if group.strip() not in GROUPS or owner.strip() not in {o.value for o in Owner}:
        raise argparse.ArgumentTypeError(f"{text!r}: give GROUP=OWNER with GROUP one of {', '.join(GROUPS)} "
                                         f"and OWNER one of {', '.join(o.value for o in Owner)}")
    return group.strip(), Owner(owner.strip())


def run(args: argparse.Namespace) -> int:
    ctx = command_context()
    state = setup_state(ctx.engine)
    if state.company_id is None or not state.two_way:
        raise ConfigurationError("Import needs a connected company in two-way mode: run python -m core setup first.")
    if args.owner and not args.dry_run:  # a dry run previews with the owners given, saving nothing
        with session_scope(ctx.engine) as session:
            save_owners(session, owners=dict(args.owner), actor=ctx.actor)
    steps = args.only or STEPS
    preview = preview_import(ctx.settings, ctx.engine, actor=ctx.actor, company_id=state.company_id, steps=steps,
                             owners=dict(args.owner))
    print("\n".join(preview_lines(preview)))
    if args.dry_run or preview.empty:
        if args.dry_run:
            print("\nDry run: nothing was changed.")
        return 0
    if preview.moving and not (args.yes or args.without_moving):
        raise ValidationError(
            f"nothing was imported: {len(preview.moving)} change(s) would move published work "
            f"({preview.moved_logs} time logs, {preview.updated_entries} published entries made Updated); "
            "rerun with --yes to apply them too, or --without-moving to apply the rest")
    print()
    report = run_import(ctx.settings, ctx.engine, actor=ctx.actor, company_id=state.company_id, steps=steps,
                        progress=print, apply_moving=not args.without_moving)
    _print_report(report)
    return 0


def _print_report(report: ImportReport) -> None:
    print(f"\n{'list':<16}{'created':>9}{'updated':>9}{'unchanged':>11}{'linked':>8}{'skipped':>9}")
    for row in report.rows():
        print(f"{row['list']:<16}{row['created']:>9}{row['updated']:>9}{row['unchanged']:>11}{row['linked']:>8}"
              f"{row['skipped']:>9}")
    for name, step in report.steps.items():
        for reason in step.skipped:
            print(f"  skipped ({name}): {reason}")
    kept = [(c, f) for c in report.changes for f in c.fields if f.kept]
    for change, field in kept:
        print(f"  kept ({change.list_name}): {change.record}: {field.name} stays {field.old} ({field.kept})")
