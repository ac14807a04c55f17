"""`python -m core mapping sync|auto`: Data mapping for one-way mode from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.common import CommandContext, command_context, setup_state
from core.db import session_scope
from core.errors import ConfigurationError, ValidationError
from core.models.mapping import Entity
from core.sync import auto_mapping, mapping
from core.sync.lists import TEXT, entities_for, sync_from_procore
from core.sync.suggestions import SUGGESTED, above, accept, suggest

NAMES: dict[str, Entity] = {
    "vendors": Entity.COMPANY, "projects": Entity.JOB_SITE, "employees": Entity.EMPLOYEE,
    "classifications": Entity.PAY_CLASS, "cost-codes": Entity.COST_CODE, "payroll-types": Entity.PAY_ID,
}
AUTO_ORDER = (Entity.JOB_SITE, Entity.EMPLOYEE, Entity.PAY_CLASS, Entity.PAY_ID, Entity.COST_CODE)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "mapping", help="sync Procore's lists and auto-map them (one-way mode)",
        description="Data mapping for one-way mode. Without --entity, every list the enabled modules need. "
        "Cost codes follow the mapped projects: sync and auto-map projects first.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="<action>")
    for name, help_text in (("sync", "copy Procore's lists here (all pages), flagging records gone from Procore"),
                            ("auto", "map records not mapped yet to the Procore record with the same number")):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument("--entity", action="append", choices=list(NAMES), help="only this list (repeatable)")
        action.set_defaults(func=run_sync if name == "sync" else run_auto)
    suggest = actions.add_parser("suggest", help="suggest mappings by abbreviation and name; map only when accepted",
                                 description="List suggestions (vendors by abbreviation and name, employees whose "
                                 "number Procore lacks by name, projects by name) with what matched and how sure. "
                                 "--accept-above maps those at least that sure.")
    suggest.add_argument("--entity", action="append", choices=[n for n, e in NAMES.items() if e in SUGGESTED],
                         help="only this list (repeatable)")
    suggest.add_argument("--accept-above", type=_confidence, metavar="0.9", help="map the suggestions this sure")
    suggest.set_defaults(func=run_suggest)


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"'{text[:20]}' is not a confidence between 0 and 1 (like 0.9)")
    return value


def _chosen(ctx: CommandContext, args: argparse.Namespace) -> tuple[int, list[Entity]]:
    state = setup_state(ctx.engine)
    if state.company_id is None or state.mode is None:
        raise ConfigurationError("Data mapping needs a connected company and a mode: run python -m core setup first.")
    if state.two_way:
        raise ConfigurationError("Data mapping is for one-way mode; in two-way mode the import maps records "
                                 "(python -m core import).")
    needed = entities_for(state.modules)
    chosen = [NAMES[name] for name in args.entity] if args.entity else list(needed)
    if not chosen:
        raise ConfigurationError("No publishing module is enabled, so nothing needs mapping: run python -m core setup.")
    return state.company_id, chosen


def run_sync(args: argparse.Namespace) -> int:
    ctx = command_context()
    company_id, chosen = _chosen(ctx, args)
    reports = sync_from_procore(ctx.settings, ctx.engine, company_id=company_id, entities=chosen, actor=ctx.actor,
                                progress=print)
    print(f"\n{'list':<18}{'project':<36}{'in Procore':>11}{'new':>6}{'changed':>9}{'gone':>6}{'back':>6}")
    for r in reports:
        scope = (r.scope_label or str(r.scope_id))[:34] if r.scope_id else "—"
        if r.note:
            print(f"{TEXT[r.entity].tab:<18}{scope:<36}{r.note}")
            continue
        print(f"{TEXT[r.entity].tab:<18}{scope:<36}{r.fetched:>11}{r.added:>6}{r.updated:>9}{r.flagged:>6}{r.restored:>6}")
    return 0


def run_auto(args: argparse.Namespace) -> int:
    ctx = command_context()
    company_id, chosen = _chosen(ctx, args)
    status = 0
    for entity in (e for e in AUTO_ORDER if e in chosen):
        print(f"Auto-mapping {TEXT[entity].tab.lower()}…")
        try:
            with session_scope(ctx.engine) as session:
                report = auto_mapping.auto_map(session, company_id=company_id, entity=entity, actor=ctx.actor)
        except ValidationError as error:
            print(f"  {error}")
            status = 1
            continue
        print(f"  {report.summary()}")
        for line in report.left_to_person:
            print(f"  left to you: {line}")
    if Entity.COMPANY in chosen:
        print(f"{TEXT[Entity.COMPANY].tab}: {mapping.RULES[Entity.COMPANY].split('. ', 1)[1]}")
    return status


def run_suggest(args: argparse.Namespace) -> int:
    ctx = command_context()
    company_id, chosen = _chosen(ctx, args)
    modules = setup_state(ctx.engine).modules
    with session_scope(ctx.engine) as session:
        found = suggest(session, company_id=company_id, entities=chosen)
        for suggestion in found:
            print(suggestion.sentence())
        if not found:
            print("No suggestions: every record is mapped or has no likely match.")
        if args.accept_above is None:
            return 0
        done = accept(session, company_id=company_id, chosen=above(found, args.accept_above), actor=ctx.actor,
                      modules=modules)
    print(f"Accepted {len(done.mapped)} suggestions at least {args.accept_above:.0%} sure:")
    for line in done.lines():
        print(f"  {line}")
    return 0
