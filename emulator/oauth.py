"""Procore's OAuth 2.0 endpoints: consent page, token (three grants), revoke and token info.

The signed-in Procore user is always the seeded user; the consent page only asks Allow or Deny.
Store work runs in worker threads, as the REST gateway's does; ``/oauth/token`` draws the token
faults (``token_500``, ``token_lost_response``).
"""

from __future__ import annotations

import base64
import html
import json
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from emulator import config as config_mod
from emulator import faults
from emulator.errors import INVALID_CLIENT, INVALID_GRANT, oauth_error
from emulator.gateway import EmulatorState, in_thread, unauthorized
from emulator.seed import SERVICE_LOGIN, USER_LOGIN
from emulator.store import Store, Tx
from emulator.timeutil import unix

DEMO_CLIENT_ID = "procore-connect-demo"
DEMO_CLIENT_SECRET = "demo-secret"  # noqa: S105 - the documented demo credential
DEMO_APP_NAME = "Procore Connect"
OOB_REDIRECT = "urn:ietf:wg:oauth:2.0:oob"
CODE_TTL = 600


def redirect_allowed(uri: str) -> bool:
    """Any http(s) redirect URI on localhost or 127.0.0.1 (any port and path), or out-of-band."""
    if uri == OOB_REDIRECT:
        return True
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and parts.hostname in ("localhost", "127.0.0.1")


def _state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


def _user_id(tx: Tx, login: str) -> int:
    row = tx.conn.execute(
        "SELECT id FROM records WHERE kind = 'user' AND json_extract(data, '$.login') = ?", (login,)
    ).fetchone()
    return int(row[0])


def _jwt_like(payload: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(payload)}.{secrets.token_urlsafe(32)}"


def _error_page(message: str) -> HTMLResponse:
    body = (f"<!doctype html><title>Procore - Authorization error</title>"
            f"<h1>An error has occurred</h1><p>{html.escape(message)}</p>")
    return HTMLResponse(body, 400)


def _redirect(uri: str, params: dict[str, str]) -> Response:
    if uri == OOB_REDIRECT:
        code = params.get("code", params.get("error", ""))
        return HTMLResponse(f"<!doctype html><title>Authorization code</title>"
                            f"<p>Copy this code into the application:</p><code>{html.escape(code)}</code>")
    separator = "&" if "?" in uri else "?"
    return RedirectResponse(uri + separator + urlencode(params), 302)


def _check_client(params: Any) -> str | None:
    if params.get("client_id") != DEMO_CLIENT_ID:
        return "The client_id is unknown to this Procore instance."
    uri = params.get("redirect_uri", "")
    if not uri or not redirect_allowed(uri):
        return "The redirect_uri is not registered for this application."
    return None


async def authorize_page(request: Request) -> Response:
    params = request.query_params
    problem = _check_client(params)
    if problem:
        return _error_page(problem)
    if params.get("response_type") != "code":
        return _redirect(params["redirect_uri"], {"error": "unsupported_response_type",
                                                  "state": params.get("state", "")})
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(params.get(name, ""))}">'
        for name in ("client_id", "redirect_uri", "state", "response_type")
    )
    user = await in_thread(_signed_in_user, _state(request).store)
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Procore - Authorize {DEMO_APP_NAME}</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto">
<h1>Authorize {html.escape(DEMO_APP_NAME)}</h1>
<p>Signed in as <strong>{html.escape(user['name'])}</strong> ({html.escape(user['login'])}).</p>
<p><strong>{html.escape(DEMO_APP_NAME)}</strong> would like to access your Procore account.</p>
<form method="post" action="/oauth/authorize">{hidden}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>"""
    return HTMLResponse(page)


async def authorize_decision(request: Request) -> Response:
    form = await request.form()
    problem = _check_client(form)
    if problem:
        return _error_page(problem)
    uri, state = str(form["redirect_uri"]), str(form.get("state", ""))
    if form.get("decision") != "allow":
        return _redirect(uri, {"error": "access_denied", "state": state})
    code = secrets.token_hex(32)
    await in_thread(_save_code, _state(request).store, code, uri)
    return _redirect(uri, {"code": code, "state": state})


def _signed_in_user(store: Store) -> dict[str, Any]:
    with store.tx() as tx:
        user = tx.get("user", _user_id(tx, USER_LOGIN))
    assert user is not None
    return user


def _save_code(store: Store, code: str, redirect_uri: str) -> None:
    with store.tx(write=True) as tx:
        tx.conn.execute(
            "INSERT INTO codes (code, client_id, redirect_uri, user_id, created_at) VALUES (?, ?, ?, ?, ?)",
            (code, DEMO_CLIENT_ID, redirect_uri, _user_id(tx, USER_LOGIN), unix()),
        )


async def _token_params(request: Request) -> dict[str, str]:
    """Form data (urlencoded or multipart, as ``curl -F``) or a JSON body; HTTP Basic client auth."""
    content_type = request.headers.get("content-type", "")
    params: dict[str, str] = {}
    if "json" in content_type:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = {}
        params = {k: str(v) for k, v in body.items()} if isinstance(body, dict) else {}
    else:
        params = {k: str(v) for k, v in (await request.form()).items()}
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
            params.setdefault("client_id", client_id)
            params.setdefault("client_secret", secret)
        except ValueError:
            pass
    return params


def _issue(tx: Tx, user_id: int, grant: str, ttl: int, *, refresh: bool) -> dict[str, Any]:
    created = unix()
    access = _jwt_like({"sub": user_id, "iat": int(created), "jti": secrets.token_hex(8)})
    refresh_token = secrets.token_hex(32) if refresh else None
    tx.conn.execute(
        "INSERT INTO tokens (access_token, refresh_token, client_id, user_id, grant_type, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (access, refresh_token, DEMO_CLIENT_ID, user_id, grant, created, created + ttl),
    )
    body: dict[str, Any] = {"access_token": access, "token_type": "bearer", "expires_in": ttl}
    if refresh_token:
        body["refresh_token"] = refresh_token
    body["created_at"] = int(created)
    return body


def _grant_code(tx: Tx, params: dict[str, str], ttl: int) -> Response:
    code = params.get("code")
    if not code:
        return oauth_error(400, "invalid_request", "Missing required parameter: code.")
    row = tx.conn.execute(
        "SELECT redirect_uri, user_id, created_at, used FROM codes WHERE code = ? AND client_id = ?",
        (code, DEMO_CLIENT_ID),
    ).fetchone()
    if row is None or row[3] or row[2] + CODE_TTL < unix() or row[0] != params.get("redirect_uri"):
        return oauth_error(400, "invalid_grant", INVALID_GRANT)
    tx.conn.execute("UPDATE codes SET used = 1 WHERE code = ?", (code,))
    return JSONResponse(_issue(tx, row[1], "authorization_code", ttl, refresh=True))


def _grant_refresh(tx: Tx, params: dict[str, str], ttl: int) -> Response:
    token = params.get("refresh_token")
    if not token:
        return oauth_error(400, "invalid_request", "Missing required parameter: refresh_token.")
    row = tx.conn.execute(
        "SELECT user_id, revoked FROM tokens WHERE refresh_token = ? AND client_id = ?",
        (token, DEMO_CLIENT_ID),
    ).fetchone()
    if row is None or row[1]:
        return oauth_error(400, "invalid_grant", INVALID_GRANT)
    tx.conn.execute("UPDATE tokens SET revoked = 1 WHERE refresh_token = ?", (token,))
    return JSONResponse(_issue(tx, row[0], "refresh_token", ttl, refresh=True))


async def token(request: Request) -> Response:
    params = await _token_params(request)
    if params.get("client_id") != DEMO_CLIENT_ID or params.get("client_secret") != DEMO_CLIENT_SECRET:
        return oauth_error(401, "invalid_client", INVALID_CLIENT)
    state = _state(request)
    response: Response = await in_thread(_token_answer, state, params)
    return response


def _token_answer(state: EmulatorState, params: dict[str, str]) -> Response:
    """The grant's answer, or a token fault: a 500 before any work, or the answer lost after it."""
    grant = params.get("grant_type")
    with state.store.tx(write=True) as tx:
        cfg = config_mod.load(tx)
        fault = state.faults.draw(cfg, config_mod.TOKEN_FAULTS)
        if fault == "token_500":
            return faults.token_server_error()
        answer = _grant(tx, grant, params, cfg["access_token_ttl"])
    return faults.dropped(answer) if fault == "token_lost_response" else answer


def _grant(tx: Tx, grant: str | None, params: dict[str, str], ttl: int) -> Response:
    if grant == "authorization_code":
        return _grant_code(tx, params, ttl)
    if grant == "refresh_token":
        return _grant_refresh(tx, params, ttl)
    if grant == "client_credentials":
        return JSONResponse(_issue(tx, _user_id(tx, SERVICE_LOGIN), "client_credentials", ttl, refresh=False))
    if not grant:
        return oauth_error(400, "invalid_request", "Missing required parameter: grant_type.")
    return oauth_error(400, "unsupported_grant_type",
                       "The authorization grant type is not supported by the authorization server.")


async def revoke(request: Request) -> Response:
    """Revokes the access and refresh token of the pair ``token`` belongs to; always 200."""
    params = await _token_params(request)
    await in_thread(_revoke_pair, _state(request).store, params.get("token", ""))
    return JSONResponse({})


def _revoke_pair(store: Store, value: str) -> None:
    with store.tx(write=True) as tx:
        tx.conn.execute(
            "UPDATE tokens SET revoked = 1 WHERE access_token = ? OR refresh_token = ?", (value, value)
        )


async def token_info(request: Request) -> Response:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    row = await in_thread(_token_row, _state(request).store, value.strip())
    if scheme.lower() != "bearer" or row is None or row[3] or row[2] <= unix():
        return unauthorized("The access token is invalid")
    return JSONResponse({
        "resource_owner_id": row[0], "scope": [], "expires_in_seconds": int(row[2] - unix()),
        "application": {"uid": row[4]}, "created_at": int(row[1]),
    })


def _token_row(store: Store, access_token: str) -> Any:
    with store.tx() as tx:
        return tx.conn.execute(
            "SELECT user_id, created_at, expires_at, revoked, client_id FROM tokens WHERE access_token = ?",
            (access_token,),
        ).fetchone()


ROUTES = [
    Route("/oauth/authorize", authorize_page, methods=["GET"]),
    Route("/oauth/authorize", authorize_decision, methods=["POST"]),
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/revoke", revoke, methods=["POST"]),
    Route("/oauth/token/info", token_info, methods=["GET"]),
]
