"""The Procore connection's life: connect (browser or service account), open a client, pick a company, disconnect.

These are the functions the Procore setup page and the CLI call. None of them returns or logs a
token; `ConnectionInfo` carries only what a person may see.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.access import Identity, Perm
from core.config import Settings
from core.errors import ConfigurationError
from core.models.procore import DEFAULT_SLOT, GrantType, ProcoreConnection, ProcoreConnectionBase
from core.procore import oauth
from core.procore.auth import ProcoreOAuth2Client, new_oauth_client
from core.procore.client import ProcoreClient
from core.procore.encryption import cipher_from_settings
from core.procore.endpoints import ProcoreEndpoints, resolve_endpoints
from core.procore.errors import SETUP_PAGE, ProcoreAPIError, ReconnectRequired
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


def _store(settings: Settings, engine: Engine) -> TokenStore:
    return TokenStore(engine=engine, cipher=cipher_from_settings(settings), slot=DEFAULT_SLOT)


def _oauth_client(
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
    row = _store(settings, engine).connection()
    return ConnectionInfo.of(row) if row is not None else None


def reconnect_reason(engine: Engine, *, slot: str = DEFAULT_SLOT) -> str | None:
    """Why the stored connection needs a person to reconnect it, or None (also when nothing is stored)."""
    with Session(engine) as session:
        query = select(ProcoreConnection.reconnect_reason).where(col(ProcoreConnection.slot) == slot)
        return session.exec(query).first()


def begin_authorization(
    settings: Settings, engine: Engine, *, actor: Identity, transport: httpx.BaseTransport | None = None
) -> str:
    """The Procore consent URL to send the browser to; its `state` is stored for the callback.

    Raises:
        PermissionDenied: `actor` may not change the Procore setup (no state is stored).
    """
    actor.require(Perm.PROCORE_SETUP)
    endpoints = resolve_endpoints(settings)
    state = oauth.create_state(engine=engine, redirect_uri=settings.procore_redirect_uri)
    with _oauth_client(settings, endpoints, transport=transport) as client:
        return oauth.authorization_url(
            oauth=client, login_url=endpoints.login_url, redirect_uri=settings.procore_redirect_uri, state=state
        )


def complete_authorization(
    settings: Settings,
    engine: Engine,
    *,
    query: dict[str, str] | str,
    actor: Identity,
    transport: httpx.BaseTransport | None = None,
) -> ConnectionInfo:
    """Finish the browser sign-in from Procore's redirect (its query string or parameters).

    Checks and uses up the state, trades the code for tokens, reads who signed in and stores the
    connection (replacing any previous one).

    Raises:
        PermissionDenied: `actor` may not change the Procore setup (the state is left unused).
        InvalidOAuthState, ReconnectRequired: the redirect cannot complete a sign-in.
    """
    actor.require(Perm.PROCORE_SETUP)
    params = _query_params(query)
    if params.get("error"):
        raise ReconnectRequired(f"Procore sign-in did not complete ({params['error']}).")
    pending = oauth.consume_state(engine=engine, state=params.get("state", ""))
    if not params.get("code"):
        raise ReconnectRequired("Procore's redirect carried no sign-in code.")
    endpoints = resolve_endpoints(settings)
    with _oauth_client(settings, endpoints, transport=transport) as client:
        token = oauth.exchange_code(oauth=client, code=params["code"], redirect_uri=pending.redirect_uri)
    return _save(settings, engine, endpoints, token, GrantType.AUTHORIZATION_CODE, company_id=None, transport=transport)


def connect_client_credentials(
    settings: Settings,
    engine: Engine,
    *,
    actor: Identity,
    company_id: int | None = None,
    transport: httpx.BaseTransport | None = None,
) -> ConnectionInfo:
    """Connect the app's service account (client credentials; no browser) and store the connection.

    Procore wants `Procore-Company-Id` even on /me and /companies for service accounts, so give the
    id of a company where the app is installed.

    Raises:
        PermissionDenied: `actor` may not change the Procore setup (nothing is requested or stored).
    """
    actor.require(Perm.PROCORE_SETUP)
    endpoints = resolve_endpoints(settings)
    with _oauth_client(settings, endpoints, transport=transport, grant_type="client_credentials") as client:
        token = oauth.fetch_client_credentials(oauth=client)
    grant = GrantType.CLIENT_CREDENTIALS
    return _save(settings, engine, endpoints, token, grant, company_id=company_id, transport=transport)


def _save(
    settings: Settings,
    engine: Engine,
    endpoints: ProcoreEndpoints,
    token: dict[str, Any],
    grant_type: GrantType,
    *,
    company_id: int | None,
    transport: httpx.BaseTransport | None,
) -> ConnectionInfo:
    with _client_for_token(settings, endpoints, token, grant_type, company_id, transport) as client:
        me = client.me()
        if me.name is None and company_id is None:  # Procore names the user only within a company
            first = next(client.iter_companies(), None)
            me = client.me(company_id=first.id) if first is not None else me
    details = ProcoreConnectionBase(
        environment=endpoints.environment_label,
        api_url=endpoints.api_url,
        login_url=endpoints.login_url,
        client_id=settings.procore_client_id,
        grant_type=grant_type,
        procore_user_id=me.id,
        procore_user_name=me.name,
        procore_user_login=me.login,
        company_id=company_id,
    )
    return ConnectionInfo.of(_store(settings, engine).replace(details=details, token=token))


def _client_for_token(
    settings: Settings,
    endpoints: ProcoreEndpoints,
    token: dict[str, Any],
    grant_type: GrantType,
    company_id: int | None,
    transport: httpx.BaseTransport | None,
) -> ProcoreClient:
    http = _oauth_client(settings, endpoints, transport=transport, token=token)
    service = grant_type == GrantType.CLIENT_CREDENTIALS
    return ProcoreClient(http, company_id=company_id, company_header_on_account_calls=service)


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
    store = _store(settings, engine)
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
    http = _oauth_client(
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
    if not _store(settings, engine).update_company(company_id=company_id, company_name=company_name):
        raise ConfigurationError(NOT_CONNECTED)


def disconnect(
    settings: Settings, engine: Engine, *, actor: Identity, transport: httpx.BaseTransport | None = None
) -> bool:
    """Revoke the stored tokens at Procore (best effort) and delete the connection; False if none was stored.

    Raises:
        PermissionDenied: `actor` may not change the Procore setup (nothing is revoked or deleted).
    """
    actor.require(Perm.PROCORE_SETUP)
    store = _store(settings, engine)
    row = store.connection()
    if row is None:
        return False
    try:
        stored = store.load()
        endpoints = ProcoreEndpoints(api_url=row.api_url, login_url=row.login_url, environment_label=row.environment)
        if endpoints.environment_label == resolve_endpoints(settings).environment_label:
            endpoints = resolve_endpoints(settings)  # the embedded emulator may listen on a new port
        if stored is not None:
            with _oauth_client(settings, endpoints, transport=transport) as client:
                oauth.revoke_tokens(oauth=client, login_url=endpoints.login_url, token=stored.token)
    except ProcoreAPIError as error:
        # The local copy goes regardless: a token we no longer hold cannot be used by anyone here.
        logger.warning("Could not revoke the Procore tokens while disconnecting: %s", error)
    return store.delete()


def _query_params(query: dict[str, str] | str) -> dict[str, str]:
    if isinstance(query, dict):
        return {key: str(value) for key, value in query.items()}
    text = urlsplit(query).query if "?" in query or "://" in query else query.lstrip("?")
    return {key: values[-1] for key, values in parse_qs(text).items()}
