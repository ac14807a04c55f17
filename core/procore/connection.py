"""The stored Procore connection: what people may see of it, a client opened on it, the company picked.

Connecting and disconnecting are in `core.procore.authorization`. Nothing here returns or logs a token;
`ConnectionInfo` carries only what a person may see.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.config import Settings
from core.errors import ConfigurationError
from core.models.procore import DEFAULT_SLOT, GrantType, ProcoreConnection
from core.procore.auth import ProcoreOAuth2Client, new_oauth_client
from core.procore.client import ProcoreClient
from core.procore.encryption import cipher_from_settings
from core.procore.endpoints import ProcoreEndpoints, resolve_endpoints
from core.procore.errors import SETUP_PAGE, ReconnectRequired
from core.procore.pacing import pacer_for
from core.procore.token_store import TokenStore

logger = logging.getLogger(__name__)

NOT_CONNECTED = f"Procore is not connected; connect it on the {SETUP_PAGE} page."


@dataclass(frozen=True)
class ConnectionInfo:
    """What the setup page shows about the stored connection (never a token)."""

    environment: str
    api_url: str
    grant_type: GrantType
    user_id: int | None
    user_name: str | None
    user_login: str | None
    company_id: int | None
    company_name: str | None
    token_expires_at: datetime
    connected_at: datetime
    reconnect_reason: str | None = None  # set: the authorization stopped working; a person must reconnect

    @classmethod
    def of(cls, row: ProcoreConnection) -> ConnectionInfo:
        return cls(
            environment=row.environment,
            api_url=row.api_url,
            grant_type=GrantType(row.grant_type),
            user_id=row.procore_user_id,
            user_name=row.procore_user_name,
            user_login=row.procore_user_login,
            company_id=row.company_id,
            company_name=row.company_name,
            token_expires_at=row.expires_at,
            connected_at=row.created_at,
            reconnect_reason=row.reconnect_reason,
        )


def token_store(settings: Settings, engine: Engine) -> TokenStore:
    """Where the connection and its tokens are kept (encrypted)."""
    return TokenStore(engine=engine, cipher=cipher_from_settings(settings), slot=DEFAULT_SLOT)


def oauth_client(
    settings: Settings, endpoints: ProcoreEndpoints, *, transport: httpx.BaseTransport | None, **kwargs: Any
) -> ProcoreOAuth2Client:
    return new_oauth_client(
        login_url=endpoints.login_url,
        client_id=settings.procore_client_id,
        client_secret=settings.procore_client_secret.get_secret_value(),
        redirect_uri=settings.procore_redirect_uri,
        transport=transport,
        base_url=endpoints.api_url,
        **kwargs,
    )


def connection_info(settings: Settings, engine: Engine) -> ConnectionInfo | None:
    """The stored connection, or None when Procore is not connected."""
    row = token_store(settings, engine).connection()
    return ConnectionInfo.of(row) if row is not None else None


def reconnect_reason(engine: Engine, *, slot: str = DEFAULT_SLOT) -> str | None:
    """Why the stored connection needs a person to reconnect it, or None (also when nothing is stored)."""
    with Session(engine) as session:
        query = select(ProcoreConnection.reconnect_reason).where(col(ProcoreConnection.slot) == slot)
        return session.exec(query).first()


def open_client(
    settings: Settings,
    engine: Engine,
    *,
    company_id: int | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> ProcoreClient:
    """A ready `ProcoreClient` over the stored connection; raises `ConfigurationError` when not connected.

    Tokens refresh themselves (single-flight, persisted). `company_id` defaults to the company chosen
    on Procore setup. `sleep` is what retries wait with (tests shrink it); `clock` says when a token
    is due for renewal. Raises `ReconnectRequired` when the connection is marked as needing a reconnect.
    """
    store = token_store(settings, engine)
    row = store.connection()
    if row is None:
        raise ConfigurationError(NOT_CONNECTED)
    endpoints = resolve_endpoints(settings)
    _check_matches(row, endpoints, settings)
    if row.reconnect_reason:
        raise ReconnectRequired(row.reconnect_reason)
    stored = store.load()
    if stored is None:
        raise ConfigurationError(NOT_CONNECTED)
    grant = GrantType(row.grant_type)
    http = oauth_client(
        settings,
        endpoints,
        transport=transport,
        token=stored.token,
        grant_type=grant.value if grant == GrantType.CLIENT_CREDENTIALS else None,
        store=store,
        version=stored.version,
        clock=clock,
    )
    return ProcoreClient(
        http,
        company_id=company_id if company_id is not None else row.company_id,
        company_header_on_account_calls=grant == GrantType.CLIENT_CREDENTIALS,
        pacer=pacer_for(api_url=_budget_place(settings, endpoints),
                        identity=f"{row.slot}:{row.client_id}:{row.created_at.isoformat()}",
                        shared_in=settings.jobs_url or str(settings.data_dir)),  # one budget for all workers
        sleep=sleep,
    )


def _budget_place(settings: Settings, endpoints: ProcoreEndpoints) -> str:
    """Where the rate-limit budget lives: Procore's URL, or for the built-in emulator its state file.

    Each process serves the built-in emulator on a port of its own, all on one state file, which holds
    the budgets: named by its port, every worker would pace itself alone and together they would overrun.
    """
    if settings.uses_emulator and settings.emulator_state is not None:
        return f"emulator:{Path(settings.emulator_state).resolve()}"
    return endpoints.api_url


def _check_matches(row: ProcoreConnection, endpoints: ProcoreEndpoints, settings: Settings) -> None:
    if row.client_id != settings.procore_client_id:
        raise ReconnectRequired("The stored Procore connection belongs to another Procore app (the client id changed).")
    same_place = row.environment == endpoints.environment_label and (
        endpoints.is_emulator or row.api_url.rstrip("/") == endpoints.api_url
    )
    if not same_place:
        raise ReconnectRequired(
            f"The stored Procore connection is for {row.environment} ({row.api_url}), "
            f"but the settings now point at {endpoints.environment_label} ({endpoints.api_url})."
        )


def select_company(settings: Settings, engine: Engine, *, company_id: int, company_name: str | None) -> None:
    """Remember the Procore company the product works in."""
    if not token_store(settings, engine).update_company(company_id=company_id, company_name=company_name):
        raise ConfigurationError(NOT_CONNECTED)


