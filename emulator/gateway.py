"""What every ``/rest/`` request goes through before and after its handler.

Order: count the request (stats) → authenticate the Bearer token → rate-limit windows of its
connection → configured latency → injected faults → ``Procore-Company-Id`` check → handler →
rate-limit headers. Store work runs in worker threads, so requests are served concurrently; each
transaction stays atomic (see ``emulator.store``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from emulator import config as config_mod
from emulator import errors, faults, ratelimit
from emulator.store import Store, Tx
from emulator.timeutil import unix

Handler = Callable[["Ctx"], Response]


@dataclass
class EmulatorState:
    """Per-app state kept in process memory: the store and the seeded fault generator."""

    store: Store
    seed: int
    faults: faults.FaultDraw = field(default_factory=faults.FaultDraw)


@dataclass
class Ctx:
    """One authenticated REST request; ``body`` is read before the handler runs in a worker thread."""

    request: Request
    store: Store
    config: dict[str, Any]
    user: dict[str, Any]
    company_id: int | None
    body: bytes = b""

    @property
    def params(self) -> Any:
        return self.request.query_params

    @property
    def path(self) -> dict[str, Any]:
        return self.request.path_params


async def in_thread(work: Callable[..., Any], *args: Any) -> Any:
    """Run blocking store work in a worker thread so that other requests go on meanwhile."""
    return await anyio.to_thread.run_sync(partial(work, *args))


@dataclass(frozen=True)
class Admission:
    """What the gateway learnt before the handler: config, caller, connection and rate-limit verdict."""

    config: dict[str, Any]
    user: dict[str, Any] | None
    reason: str
    verdict: ratelimit.Verdict | None


def _token_user(tx: Tx, token: str | None) -> tuple[dict[str, Any] | None, str, str]:
    """The token's user, its connection (the OAuth client and the user it acts for) and why not."""
    if not token:
        return None, "", "The access token is missing"
    row = tx.conn.execute(
        "SELECT user_id, expires_at, revoked, client_id FROM tokens WHERE access_token = ?", (token,)
    ).fetchone()
    if row is None:
        return None, "", "The access token is invalid"
    if row[2]:
        return None, "", "The access token was revoked"
    if row[1] <= unix():
        return None, "", "The access token expired"
    return tx.get("user", row[0]), ratelimit.connection_key(row[3], row[0]), ""


def _admit(store: Store, template: str, token: str | None) -> Admission:
    with store.tx(write=True) as tx:
        tx.count_request(template)
        cfg = config_mod.load(tx)
        user, connection, reason = _token_user(tx, token)
        verdict = ratelimit.consume(tx, connection, cfg, unix()) if user else None
    return Admission(cfg, user, reason, verdict)


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def unauthorized(reason: str) -> Response:
    return JSONResponse(
        {"error": "invalid_token", "error_description": reason}, 401,
        headers={"WWW-Authenticate": f'Bearer realm="Procore", error="invalid_token", '
                                     f'error_description="{reason}"'},
    )


def _company_header(request: Request, user: dict[str, Any], needed: bool) -> int | None:
    raw = request.headers.get("procore-company-id")
    if raw is None or not raw.strip():
        if needed:
            raise errors.ApiError(400, {"errors": errors.MISSING_COMPANY_HEADER})
        return None
    try:
        company_id = int(raw)
    except ValueError:
        raise errors.ApiError(400, {"errors": "Procore-Company-Id must be an integer"}) from None
    if company_id not in user["company_ids"]:
        raise errors.ApiError(403, {"errors": "App is not connected to this company"})
    return company_id


def _serve(handler: Handler, header: str, ctx: Ctx) -> Response:
    """The handler's answer (its write committed), or the refusal it raised; runs in a worker thread."""
    try:
        needed = header == "always" or bool(ctx.user.get("service_account"))
        ctx.company_id = _company_header(ctx.request, ctx.user, needed)
        return handler(ctx)
    except errors.ApiError as exc:
        return exc.response()


def rest(handler: Handler, *, header: str = "always") -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler; ``header`` is "always" or "service_accounts" (``/me``, ``/companies``)."""

    async def endpoint(request: Request) -> Response:
        state: EmulatorState = request.app.state.emulator
        template = f"{request.method} {request.scope['route'].path}"
        admission: Admission = await in_thread(_admit, state.store, template, _bearer(request))
        cfg, user, verdict = admission.config, admission.user, admission.verdict
        if cfg["latency_ms"]:
            await anyio.sleep(cfg["latency_ms"] / 1000)
        if user is None or verdict is None:
            return unauthorized(admission.reason)
        if not verdict.allowed:
            return PlainTextResponse(errors.RATE_LIMITED, 429, headers=verdict.headers)
        fault = state.faults.draw(cfg, config_mod.REST_FAULTS)
        if fault in ("500", "503", "429"):
            response = faults.refusal(fault, cfg)
            if fault != "429":
                response.headers.update(verdict.headers)
            return response
        work = partial(_serve, handler, header, Ctx(request, state.store, cfg, user, None, await request.body()))
        if fault == "late_commit":
            state.faults.commit_later(cfg["late_commit_ms"] / 1000, work)
            return faults.no_answer()
        response = await in_thread(work)
        if fault == "502_after_commit":
            return faults.bad_gateway()
        response.headers.update(verdict.headers)
        return faults.dropped(response) if fault == "lost_response" else response

    return endpoint
