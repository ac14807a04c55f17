"""The authlib OAuth2 client the Procore client sends through, with single-flight token refresh.

authlib refreshes an expired token inside `request()` (that is why `token_endpoint=` is passed).
We put one gate around that: only one thread per process and one process per database refreshes
(see `TokenStore`); every other caller waits and adopts the winner's token.

A token is renewed a margin before it expires that fits its lifetime (`refresh_margin`), so a
one-minute token is not renewed on every call. Procore's refresh tokens are single use, so a
refresh whose answer is lost may have spent ours: it is tried once more, and if Procore then
refuses the refresh token (or the answer is lost again) the connection is marked as needing a
reconnect at once (`TokenStore.mark_reconnect`) and `ReconnectRequired` is raised. A service
account (client credentials) can always fetch a new token, so it just tries again.
"""

from __future__ import annotations

import logging
import ssl
import time
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any, NoReturn

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
from core.procore.retries import NOT_SENT_ERRORS
from core.procore.token_store import StoredToken, TokenStore

logger = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path, not a secret)
REVOKE_PATH = "/oauth/revoke"
AUTHORIZE_PATH = "/oauth/authorize"
# OAuth errors that mean the stored authorization is dead: only a new sign-in helps.
DEAD_GRANT_ERRORS = frozenset({"invalid_grant", "invalid_token", "unauthorized_client"})
DEAD_GRANT = "Procore no longer accepts the stored authorization (used, expired or revoked)."
LOST_REFRESH = "The answer to a Procore token refresh was lost, and the refresh token it spent cannot be used again."


class UncertainRenewal(Exception):
    """A token request was sent but its answer was lost or unreadable: Procore may have acted on it."""


def _refused_before_work(response: httpx.Response) -> bool:
    """Answers Procore documents as given before any work (so nothing was spent): 429, 503 with Retry-After."""
    return response.status_code == 429 or (response.status_code == 503 and "retry-after" in response.headers)


def refresh_margin(lifetime: float | None) -> float:
    """Seconds before expiry to renew a token issued for `lifetime` seconds: a tenth of it, 5 minutes at most."""
    if not lifetime or lifetime <= 0:
        return float(constants.ACCESS_TOKEN_LEEWAY)
    return min(constants.MAX_REFRESH_MARGIN, lifetime * constants.REFRESH_MARGIN_SHARE)


@cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process, shared by every client: building one loads the CA bundle (about 0.1 s
    of CPU), and a worker opens a client per job."""
    return httpx.create_ssl_context()


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
    clock: Callable[[], float] = time.time,
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
        leeway=0,  # authlib's own check, for clients without a store: only a really expired token
        transport=transport,
        verify=_tls_context(),
        base_url=base_url,
        timeout=constants.TIMEOUT,
        headers={"User-Agent": constants.USER_AGENT, "Accept": "application/json"},
        **metadata,
    )
    client.bind_store(store, version=version, clock=clock)
    return client


class ProcoreOAuth2Client(OAuth2Client):  # type: ignore[misc]  # authlib ships no type hints
    """authlib's httpx client whose automatic refresh is single-flight and persisted."""

    store: TokenStore | None = None
    version: int = 0
    clock: Callable[[], float] = staticmethod(time.time)  # seconds since the epoch

    def bind_store(
        self, store: TokenStore | None, *, version: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.version = version
        self.clock = clock
        self.update_token = self._on_token_update if store is not None else None

    def is_token_expired(self) -> bool:
        """True when the token is gone, expired, or within its renewal margin of expiring."""
        token: Any = self.token
        if token is None:
            return True
        expires_at = token.get("expires_at")
        if not isinstance(expires_at, int | float):
            return False  # Procore always says when; a token without it is used until refused (401)
        return bool(expires_at - refresh_margin(token.get("expires_in")) <= self.clock())

    def ensure_active_token(self, token: Any = None) -> bool:
        """Called by authlib before each request: refresh once (across threads and processes) if expired."""
        if self.store is None:  # while connecting: a pair rotated now could not be kept, so renew only when dead
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
            self._renew_or_confirm(version)
        except OAuthError as error:
            self._after_failed_refresh(version, error)
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
        except UncertainRenewal as error:
            self.store.release_claim(version=version)
            raise ProcoreConnectionError(
                f"Procore's sign-in server did not answer the token request ({error}). Try again later.",
                method="POST",
                path=TOKEN_PATH,
            ) from None

    def _renew_or_confirm(self, version: int) -> None:
        """Renew the token; after a lost answer, once more, which also tells whether the first spent it."""
        try:
            self._renew()
            return
        except UncertainRenewal as first:
            logger.debug("Procore token request answer lost (%s); trying once more", first)
        try:
            self._renew()
        except UncertainRenewal:
            if self.metadata.get("grant_type") != "client_credentials":  # a service account spends nothing
                self._mark_reconnect(version, LOST_REFRESH)
            raise
        except OAuthError as error:
            if error.error in DEAD_GRANT_ERRORS:
                self._mark_reconnect(version, LOST_REFRESH)
            raise

    def _renew(self) -> None:
        """One token request: the refresh grant, or a new client-credentials token. Stores the result."""
        url = self.metadata["token_endpoint"]
        refresh_token = self.token.get("refresh_token") if self.token else None
        try:
            if self.metadata.get("grant_type") == "client_credentials":
                self._on_token_update(dict(self.fetch_token(url, grant_type="client_credentials")))
            elif refresh_token:
                self.refresh_token(url, refresh_token=refresh_token)  # authlib calls _on_token_update
            else:
                self._mark_reconnect(self.version, "The Procore access token expired and cannot be renewed.")
        except httpx.TransportError as error:
            if isinstance(error, NOT_SENT_ERRORS):
                raise
            raise UncertainRenewal(type(error).__name__) from error
        except httpx.HTTPStatusError as error:
            if _refused_before_work(error.response):
                raise
            raise UncertainRenewal(f"HTTP {error.response.status_code}") from error
        except ValueError as error:  # a 2xx answer that is not a token
            raise UncertainRenewal("unreadable answer") from error

    def _mark_reconnect(self, version: int, reason: str) -> NoReturn:
        """Record on the connection that it needs a reconnect (visible to everyone), then raise."""
        assert self.store is not None
        self.store.mark_reconnect(version=version, reason=reason)
        logger.warning("Procore connection marked as needing a reconnect: %s", reason)
        raise ReconnectRequired(reason)

    def _after_failed_refresh(self, version: int, error: OAuthError) -> None:
        assert self.store is not None
        self.store.release_claim(version=version)
        stored = self._load()
        if stored.version != version:  # someone else rotated the pair meanwhile: theirs is good
            self._adopt(stored)
            return
        if error.error in DEAD_GRANT_ERRORS:
            self._mark_reconnect(version, DEAD_GRANT)
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
        if stored.reconnect_reason:
            raise ReconnectRequired(stored.reconnect_reason)
        return stored

    def _adopt(self, stored: StoredToken) -> None:
        self.token = dict(stored.token)
        self.version = stored.version
