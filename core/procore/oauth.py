"""The OAuth steps against Procore's login server: browser state, code exchange, client credentials, revoke.

A Streamlit session does not survive the trip to Procore and back, so the `state` we send is kept
server-side (hashed, 10-minute expiry) and can be consumed exactly once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from authlib.integrations.base_client import OAuthError  # type: ignore[import-untyped]
from sqlalchemy import delete, update
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import col

from core.db import session_scope, utcnow
from core.models.procore import OAuthState
from core.procore.auth import AUTHORIZE_PATH, REVOKE_PATH, TOKEN_PATH, ProcoreOAuth2Client
from core.procore.constants import OAUTH_STATE_TTL_SECONDS
from core.procore.errors import (
    SETUP_PAGE,
    InvalidOAuthState,
    ProcoreConnectionError,
    ReconnectRequired,
    ServerError,
)
from core.procore.redaction import redact, register_secret

logger = logging.getLogger(__name__)

_START_AGAIN = f"Start again with Connect on the {SETUP_PAGE} page."
STALE_STATE_RETENTION = timedelta(days=1)


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def create_state(*, engine: Engine, redirect_uri: str, now: Callable[[], datetime] = utcnow) -> str:
    """A new random `state` for one browser sign-in, stored (hashed) with a 10-minute expiry."""
    state = secrets.token_urlsafe(32)
    register_secret(state)
    created = now()
    with session_scope(engine) as session:
        session.execute(delete(OAuthState).where(col(OAuthState.expires_at) < created - STALE_STATE_RETENTION))
        session.add(
            OAuthState(
                state_hash=_hash(state),
                redirect_uri=redirect_uri,
                created_at=created,
                expires_at=created + timedelta(seconds=OAUTH_STATE_TTL_SECONDS),
            )
        )
    return state


def consume_state(*, engine: Engine, state: str, now: Callable[[], datetime] = utcnow) -> OAuthState:
    """Use up `state` (once); refuses an unknown, already used or expired state with a plain message."""
    moment = now()
    with session_scope(engine) as session:
        statement = (
            update(OAuthState)
            .where(col(OAuthState.state_hash) == _hash(state))
            .where(col(OAuthState.consumed_at).is_(None), col(OAuthState.expires_at) > moment)
            .values(consumed_at=moment)
        )
        result = cast(CursorResult[Any], session.execute(statement))
        row = session.get(OAuthState, _hash(state))
        if result.rowcount == 1 and row is not None:
            return row
    raise InvalidOAuthState(_refusal(row, moment))


def _refusal(row: OAuthState | None, moment: datetime) -> str:
    if row is None:
        return f"This Procore sign-in was not started from this app, or it was cleared. {_START_AGAIN}"
    if row.consumed_at is not None:
        return f"This Procore sign-in link was already used. {_START_AGAIN}"
    return f"This Procore sign-in took longer than {OAUTH_STATE_TTL_SECONDS // 60} minutes and expired. {_START_AGAIN}"


def authorization_url(*, oauth: ProcoreOAuth2Client, login_url: str, redirect_uri: str, state: str) -> str:
    """Procore's consent page URL for this app, carrying `state` and the redirect URI."""
    endpoint = login_url.rstrip("/") + AUTHORIZE_PATH
    url, _ = oauth.create_authorization_url(endpoint, state=state, redirect_uri=redirect_uri)
    return str(url)


def exchange_code(*, oauth: ProcoreOAuth2Client, code: str, redirect_uri: str) -> dict[str, Any]:
    """Trade a one-use authorization code for an access and refresh token."""
    register_secret(code)
    return _token_call(
        lambda: oauth.fetch_token(grant_type="authorization_code", code=code, redirect_uri=redirect_uri),
        refused="Procore refused the sign-in code (codes work once and for 10 minutes).",
    )


def fetch_client_credentials(*, oauth: ProcoreOAuth2Client) -> dict[str, Any]:
    """A service-account access token (no refresh token; a new one is fetched when it expires)."""
    return _token_call(
        lambda: oauth.fetch_token(grant_type="client_credentials"),
        refused="Procore refused this app's client id and secret for a service account.",
    )


def revoke_tokens(*, oauth: ProcoreOAuth2Client, login_url: str, token: dict[str, Any]) -> None:
    """Ask Procore to revoke the refresh and the access token (Procore answers 200 even for dead ones)."""
    url = login_url.rstrip("/") + REVOKE_PATH
    for kind in ("refresh_token", "access_token"):
        value = token.get(kind)
        if not value:
            continue
        try:
            response = oauth.revoke_token(url, token=value, token_type_hint=kind)
        except httpx.TransportError as error:
            raise ProcoreConnectionError(
                f"Could not reach Procore to revoke the {kind.replace('_', ' ')} ({type(error).__name__}).",
                method="POST",
                path=REVOKE_PATH,
            ) from None
        if response.status_code >= 400:
            logger.warning("Procore answered HTTP %s to revoking the %s", response.status_code, kind)


def _token_call(call: Callable[[], Any], *, refused: str) -> dict[str, Any]:
    try:
        token = dict(call())
    except OAuthError as error:
        detail = f" ({redact(str(error.error))})" if error.error else ""
        raise ReconnectRequired(f"{refused}{detail}") from None
    except httpx.HTTPStatusError as error:
        raise ServerError(
            f"Procore's sign-in server failed with HTTP {error.response.status_code}. Try again later.",
            status_code=error.response.status_code,
            method="POST",
            path=TOKEN_PATH,
            body=error.response.text,
        ) from None
    except httpx.TransportError as error:
        raise ProcoreConnectionError(
            f"Could not reach Procore's sign-in server ({type(error).__name__}). Try again later.",
            method="POST",
            path=TOKEN_PATH,
        ) from None
    register_secret(token.get("access_token"))
    register_secret(token.get("refresh_token"))
    return token

