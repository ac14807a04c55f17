"""`python -m core connect`: connect Procore without a browser (service account), show or drop the connection."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.arguments import procore_id
from core.cli.common import command_context
from core.errors import ConfigurationError
from core.procore.authorization import connect_client_credentials, disconnect
from core.procore.connection import ConnectionInfo, connection_info, open_client, select_company
from core.procore.endpoints import emulator_main_company_id, resolve_endpoints
from core.procore.errors import SETUP_PAGE


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "connect",
        help="connect Procore with the app's service account, or show / remove the connection",
        description="Connect Procore with client credentials (PROCORE_CLIENT_ID / PROCORE_CLIENT_SECRET; "
        "the built-in emulator's demo app by default) and list the companies it can reach.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--client-credentials", action="store_true", help="connect the service account")
    action.add_argument("--status", action="store_true", help="show the stored connection")
    action.add_argument("--disconnect", action="store_true", help="revoke the tokens and forget the connection")
    parser.add_argument(
        "--company-id",
        type=procore_id,
        default=None,
        help="a Procore company where the app is installed (service accounts must name one; "
        "the built-in emulator's company is used by default)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    ctx = command_context()
    settings, engine = ctx.settings, ctx.engine
    if args.status:
        info = connection_info(settings, engine)
        print(_describe(info) if info else "Procore is not connected.")
        return 0 if info and not info.reconnect_reason else 1
    if args.disconnect:
        dropped = disconnect(settings, engine, actor=ctx.actor)
        print("Disconnected from Procore." if dropped else "Procore was not connected.")
        return 0
    company_id = args.company_id or emulator_main_company_id(resolve_endpoints(settings))
    if company_id is None:
        raise ConfigurationError(
            "A service account needs --company-id (the id of a Procore company where the app is installed)."
        )
    info = connect_client_credentials(settings, engine, actor=ctx.actor, company_id=company_id)
    print(_describe(info))
    with open_client(settings, engine) as client:
        companies = list(client.iter_companies())
    print("Companies this connection can reach:")
    for company in companies:
        print(f"  {company.id}  {company.name}")
    chosen = next((c for c in companies if c.id == company_id), None)
    select_company(settings, engine, company_id=company_id, company_name=chosen.name if chosen else None)
    return 0


def _describe(info: ConnectionInfo) -> str:
    who = info.user_name or info.user_login or f"user {info.user_id}"
    company = f"; company {info.company_id} {info.company_name or ''}".rstrip() if info.company_id else ""
    described = f"Connected to {info.environment} ({info.api_url}) as {who} [{info.grant_type.value}]{company}."
    if info.reconnect_reason:
        described += f"\nNeeds a reconnect: {info.reconnect_reason} Reconnect on the {SETUP_PAGE} page."
    return described
