"""The authlib OAuth2 client the Procore client sends through, with single-flight token refresh.

authlib refreshes an expired token inside `request()` (that is why `token_endpoint=` is passed).
We put one gate around that: only one thread per process and one process per database refreshes
(see `TokenStore`); every other caller waits and adopts the winner's token. A refresh token that
Procore no longer accepts raises `ReconnectRequired`.
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning  # type: ignore[import-untyped]
from authlib.integrations.base_client import OAuthError  # type: ignore[import-untyped]

with warnings.catch_warnings():
    # authlib 1.9 nudges towards the "httpx2" package; we deliberately stay on httpx (stack-notes §7).
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client  # type: ignore[import-untyped]

from core.errors import ConfigurationError
from core.procore import constants
from core.procore.errors import ProcoreConnectionError, ProcoreTimeoutError, ReconnectRequired, ServerError
from core.procore.redaction import redact, register_secret
from core.procore.token_store import StoredToken, TokenStore

logger = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path, not a secret)
REVOKE_PATH = "/oauth/revoke"
AUTHORIZE_PATH = "/oauth/authorize"
# OAuth errors that mean the stored authorization is dead: only a new sign-in helps.
DEAD_GRANT_ERRORS = frozenset({"invalid_grant", "invalid_token", "unauthorized_client"})


def new_oauth_client(
    *,
    login_url: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str | None = None,
    token: dict[str, Any] | None = None,
    grant_type: str | None = None,
    transport: httpx.BaseTransport | None = None,
    base_url: str = "",
    store: TokenStore | None = None,
    version: int = 0,
) -> ProcoreOAuth2Client:
    """An authlib client for Procore's OAuth server at `login_url` (credentials sent as form fields)."""
    register_secret(client_secret)
    metadata: dict[str, Any] = {"token_endpoint": login_url.rstrip("/") + TOKEN_PATH}
    if grant_type:
        metadata["grant_type"] = grant_type
    client = ProcoreOAuth2Client(
        client_id=client_id,
        client_secret=client_secret,
        token_endpoint_auth_method="client_secret_post",  # noqa: S106 (a method name, not a secret)
        revocation_endpoint_auth_method="client_secret_post",
        redirect_uri=redirect_uri,
        token=token,
        leeway=constants.ACCESS_TOKEN_LEEWAY,
        transport=transport,
        base_url=base_url,
        timeout=constants.TIMEOUT,
        headers={"User-Agent": constants.USER_AGENT, "Accept": "application/json"},
        **metadata,
    )
    client.bind_store(store, version=version)
    return client


class ProcoreOAuth2Client(OAuth2Client):  # type: ignore[misc]  # authlib ships no type hints
    """authlib's httpx client whose automatic refresh is single-flight and persisted."""

    store: TokenStore | None = None
    version: int = 0

    def bind_store(self, store: TokenStore | None, *, version: int) -> None:
        self.store = store
        self.version = version
        self.update_token = self._on_token_update if store is not None else None

    def is_token_expired(self) -> bool:
        token: Any = self.token
        return bool(token is None or token.is_expired(leeway=self.leeway))

    def ensure_active_token(self, token: Any = None) -> bool:
        """Called by authlib before each request: refresh once (across threads and processes) if expired."""
        if self.store is None:
            return bool(super().ensure_active_token(token))
        if not self.is_token_expired():
            return True
        with self.store.lock:
            if self.is_token_expired():
                self._refresh_single_flight()
        return True

    def force_refresh(self, *, failed_version: int) -> None:
        """After a 401: adopt a newer stored token, or refresh even though ours looked valid."""
        assert self.store is not None
        with self.store.lock:
            stored = self._load()
            if stored.version != failed_version or self.version != failed_version:
                self._adopt(stored)
                if not self.is_token_expired():
                    return
            self.token["expires_at"] = 0  # make authlib treat it as expired
            self._refresh_single_flight()

    def _refresh_single_flight(self) -> None:
        assert self.store is not None
        deadline = time.monotonic() + 2 * constants.REFRESH_LEASE_SECONDS
        while True:
            stored = self._load()
            if stored.version != self.version:
                self._adopt(stored)
                if not self.is_token_expired():
                    return
            if self.store.claim_refresh(version=stored.version, lease_seconds=constants.REFRESH_LEASE_SECONDS):
                self._refresh_claimed(stored.version)
                return
            if time.monotonic() > deadline:
                raise ProcoreTimeoutError("Another worker kept refreshing the Procore token for too long; try again.")
            logger.debug("Procore token refresh in progress elsewhere; waiting for its result")
            time.sleep(constants.REFRESH_POLL_INTERVAL)  # real time: another worker is doing real work

    def _refresh_claimed(self, version: int) -> None:
        assert self.store is not None
        self.version = version
        try:
            super().ensure_active_token(self.token)  # authlib refreshes and calls _on_token_update
        except OAuthError as error:
            self._after_failed_refresh(version, error)
            return
        except httpx.HTTPStatusError as error:
            self.store.release_claim(version=version)
            raise ServerError(
                f"Procore's sign-in server failed with HTTP {error.response.status_code} while refreshing the "
                "token. Try again later.",
                status_code=error.response.status_code,
                method="POST",
                path=TOKEN_PATH,
                body=error.response.text,
            ) from None
        except httpx.TransportError as error:
            self.store.release_claim(version=version)
            raise ProcoreConnectionError(
                f"Could not reach Procore's sign-in server to refresh the token ({type(error).__name__}).",
                method="POST",
                path=TOKEN_PATH,
            ) from None
        if self.version == version:  # authlib had no way to refresh (no refresh token, no grant to repeat)
            self.store.release_claim(version=version)
            raise ReconnectRequired("The Procore access token expired and cannot be renewed.")

    def _after_failed_refresh(self, version: int, error: OAuthError) -> None:
        assert self.store is not None
        self.store.release_claim(version=version)
        stored = self._load()
        if stored.version != version:  # someone else rotated the pair meanwhile: theirs is good
            self._adopt(stored)
            return
        if error.error in DEAD_GRANT_ERRORS:
            raise ReconnectRequired(
                "Procore no longer accepts the stored authorization (used, expired or revoked)."
            ) from None
        if error.error == "invalid_client":
            raise ConfigurationError(
                "Procore refused this app's client id or secret; check PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET."
            ) from None
        raise ReconnectRequired(f"Procore refused to refresh the token ({redact(str(error.error))}).") from None

    def _on_token_update(
        self, token: dict[str, Any], refresh_token: str | None = None, access_token: str | None = None
    ) -> None:
        """authlib hands us the new token after a refresh or client-credentials re-fetch: persist it (CAS)."""
        assert self.store is not None
        register_secret(token.get("access_token"))
        register_secret(token.get("refresh_token"))
        if self.store.save_rotated(version=self.version, token=dict(token)):
            self.version += 1
            logger.debug("Procore token rotated and stored (version %s)", self.version)
            return
        logger.debug("Procore token changed by another worker while refreshing; using the stored one")
        self._adopt(self._load())

    def _load(self) -> StoredToken:
        assert self.store is not None
        stored = self.store.load()
        if stored is None:
            raise ReconnectRequired("Procore is no longer connected.")
        return stored

    def _adopt(self, stored: StoredToken) -> None:
        self.token = dict(stored.token)
        self.version = stored.version
