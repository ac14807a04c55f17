"""`python -m core setup`: choose the Procore company, the mode and the modules (same rules as the page)."""

from __future__ import annotations

import argparse
from typing import Any

from core import setup
from core.cli.arguments import procore_id
from core.cli.common import command_context
from core.db import session_scope
from core.models.setup import SyncMode
from core.setup import Module

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
    parser.set_defaults(func=run)


def _modules(text: str) -> frozenset[Module]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in Module._value2member_map_]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown module(s): {', '.join(unknown) or '(none given)'}")
    return frozenset(Module(name) for name in names)


def run(args: argparse.Namespace) -> int:
    setup.check_modules(args.modules)
    ctx = command_context()
    # The company is checked (and stored) first: a refused company leaves Procore as it was.
    name = setup.choose_company(ctx.settings, ctx.engine, company_id=args.company, actor=ctx.actor)
    with session_scope(ctx.engine) as session:
        setup.set_active(session, active=True, actor=ctx.actor)
        setup.set_mode(session, mode=MODES[args.mode], actor=ctx.actor)
        setup.set_modules(session, modules=args.modules, actor=ctx.actor)
        state = setup.state(session)
    print(f"Procore company: {name} ({args.company})")
    print(f"Mode: {args.mode}")
    print("Modules: " + ", ".join(sorted(m.value for m in state.modules)))
    print("Setup is finished." if state.finished else "Setup is not finished yet.")
    return 0
