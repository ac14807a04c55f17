"""`python -m core setup`: choose the Procore company, the mode and the modules (same rules as the page)."""

from __future__ import annotations

import argparse
from typing import Any

from core import setup
from core.cli.arguments import procore_id
from core.cli.common import command_context
from core.db import session_scope
from core.models.setup import SyncMode
from core.setup import Module, SwitchChoice, SwitchNeedsChoice

MODES = {"two-way": SyncMode.TWO_WAY, "one-way": SyncMode.ONE_WAY}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "setup",
        help="activate Procore and choose company, mode and modules",
        description="Activate Procore, then set the company, mode and modules, exactly as the Procore setup "
        "page does. Timecard and timesheet cannot both be enabled. Connect first (python -m core connect).",
    )
    parser.add_argument("--company", type=procore_id, required=True, help="Procore company id")
    parser.add_argument("--mode", choices=list(MODES), required=True)
    parser.add_argument(
        "--modules", required=True, type=_modules,
        help="comma-separated: " + ",".join(m.value for m in Module) + " (timecard and timesheet exclude each other)",
    )
    switch = parser.add_mutually_exclusive_group()
    switch.add_argument("--carry-over", dest="choice", action="store_const", const=SwitchChoice.CARRY_OVER,
                        help="switching timecard <-> timesheet: the new module takes over the entries the other "
                        "published (nothing is created in Procore)")
    switch.add_argument("--unpublish", dest="choice", action="store_const", const=SwitchChoice.UNPUBLISH,
                        help="switching timecard <-> timesheet: delete the other module's entries from Procore first")
    parser.set_defaults(func=run, choice=None)


def _modules(text: str) -> frozenset[Module]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in Module._value2member_map_]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown module(s): {', '.join(unknown) or '(none given)'}")
    return frozenset(Module(name) for name in names)


def run(args: argparse.Namespace) -> int:
    setup.check_modules(args.modules)
    ctx = command_context()
    with session_scope(ctx.engine) as session:
        due = setup.switches_needed(session, modules=args.modules)
    if due and args.choice is None:  # refused before anything changes
        raise SwitchNeedsChoice(" ".join(setup.needs_text(*found) for found in due) + " Add --carry-over (the new "
                                "module takes them over, nothing is created) or --unpublish (delete them first).")
    # The company is checked (and stored) first: a refused company leaves Procore as it was.
    name = setup.choose_company(ctx.settings, ctx.engine, company_id=args.company, actor=ctx.actor)
    if due and args.choice is SwitchChoice.UNPUBLISH:
        setup.unpublish_before(ctx.settings, ctx.engine, modules=args.modules, actor=ctx.actor)
    with session_scope(ctx.engine) as session:
        setup.set_active(session, active=True, actor=ctx.actor)
        setup.set_mode(session, mode=MODES[args.mode], actor=ctx.actor)
        setup.set_modules(session, modules=args.modules, actor=ctx.actor, choice=args.choice)
        state = setup.state(session)
    for module, other, held in due:
        done = "carried over to" if args.choice is SwitchChoice.CARRY_OVER else "unpublished before turning on"
        print(f"{held} published {other.value} entries {done} {module.value}.")
    print(f"Procore company: {name} ({args.company})")
    print(f"Mode: {args.mode}")
    print("Modules: " + ", ".join(sorted(m.value for m in state.modules)))
    print("Setup is finished." if state.finished else "Setup is not finished yet.")
    return 0

