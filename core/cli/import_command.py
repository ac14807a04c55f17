"""`python -m core import`: two-way import of Procore's lists, with progress and a report."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.common import command_context, setup_state
from core.errors import ConfigurationError
from core.sync.importer import STEPS, run_import


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import vendors, job sites, employees, cost codes and payroll items from Procore (two-way)",
        description="Import from the connected Procore company. Safe to run again: it updates what changed "
        "and creates nothing twice; a run stopped half-way continues on the next one.",
    )
    parser.add_argument("--only", action="append", choices=STEPS, help="import only this list (repeatable)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    ctx = command_context()
    state = setup_state(ctx.engine)
    if state.company_id is None or not state.two_way:
        raise ConfigurationError("Import needs a connected company in two-way mode: run python -m core setup first.")
    report = run_import(ctx.settings, ctx.engine, actor=ctx.actor, company_id=state.company_id,
                        steps=args.only or STEPS, progress=print)
    print(f"\n{'list':<16}{'created':>9}{'updated':>9}{'unchanged':>11}{'linked':>8}{'skipped':>9}")
    for row in report.rows():
        print(f"{row['list']:<16}{row['created']:>9}{row['updated']:>9}{row['unchanged']:>11}{row['linked']:>8}{row['skipped']:>9}")
    for name, step in report.steps.items():
        for reason in step.skipped:
            print(f"  skipped ({name}): {reason}")
    return 0
