"""Authorizing this app at Procore and withdrawing it: the browser sign-in (authorization code), the
service account (client credentials), and disconnecting (tokens revoked, the stored connection deleted).

These are what the Procore setup page and the CLI call; each checks the actor may change the Procore
setup. None returns or logs a token.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy.engine import Engine

from core.access import Identity, Perm
from core.config import Settings
from core.models.procore import GrantType, ProcoreConnectionBase
from core.procore import oauth
from core.procore.client import ProcoreClient
from core.procore.connection import ConnectionInfo, oauth_client, token_store
from core.procore.endpoints import ProcoreEndpoints, resolve_endpoints
from core.procore.errors import ProcoreAPIError, ReconnectRequired

logger = logging.getLogger(__name__)


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
    with oauth_client(settings, endpoints, transport=transport) as client:
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
    with oauth_client(settings, endpoints, transport=transport) as client:
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
    with oauth_client(settings, endpoints, transport=transport, grant_type="client_credentials") as client:
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
    return ConnectionInfo.of(token_store(settings, engine).replace(details=details, token=token))


def _client_for_token(
    settings: Settings,
    endpoints: ProcoreEndpoints,
    token: dict[str, Any],
    grant_type: GrantType,
    company_id: int | None,
    transport: httpx.BaseTransport | None,
) -> ProcoreClient:
    http = oauth_client(settings, endpoints, transport=transport, token=token)
    service = grant_type == GrantType.CLIENT_CREDENTIALS
    return ProcoreClient(http, company_id=company_id, company_header_on_account_calls=service)


def disconnect(
    settings: Settings, engine: Engine, *, actor: Identity, transport: httpx.BaseTransport | None = None
) -> bool:
    """Revoke the stored tokens at Procore (best effort) and delete the connection; False if none was stored.

    Raises:
        PermissionDenied: `actor` may not change the Procore setup (nothing is revoked or deleted).
    """
    actor.require(Perm.PROCORE_SETUP)
    store = token_store(settings, engine)
    row = store.connection()
    if row is None:
        return False
    try:
        stored = store.load()
        endpoints = ProcoreEndpoints(api_url=row.api_url, login_url=row.login_url, environment_label=row.environment)
        if endpoints.environment_label == resolve_endpoints(settings).environment_label:
            endpoints = resolve_endpoints(settings)  # the embedded emulator may listen on a new port
        if stored is not None:
            with oauth_client(settings, endpoints, transport=transport) as client:
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
