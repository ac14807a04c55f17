"""What every ``/rest/`` request goes through before and after its handler.

Order: count the request (stats) → authenticate the Bearer token → rate-limit windows →
configured latency → injected faults → ``Procore-Company-Id`` check → handler → rate-limit headers.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from emulator import config as config_mod
from emulator import errors, ratelimit
from emulator.store import Store, Tx
from emulator.timeutil import unix

Handler = Callable[["Ctx"], Awaitable[Response]]


class LostResponse(ConnectionResetError):
    """Raised after the response has started so the server drops the connection (a lost answer)."""


class DroppedResponse(Response):
    """Starts the answer, then aborts: the write is committed but the client never sees the body."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        raise LostResponse("emulated lost response")


class QuietLostResponses(logging.Filter):
    """Keeps uvicorn's error log free of the tracebacks of deliberately dropped responses."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], LostResponse))


@dataclass
class EmulatorState:
    """Per-app state kept in process memory: the store and the seeded fault generator.

    The generator restarts from ``fault_seed`` whenever faults are configured, so the same
    configuration followed by the same requests gives the same faults.
    """

    store: Store
    seed: int
    rng: random.Random = field(default_factory=random.Random)
    rng_key: Any = None

    def fault(self, cfg: dict[str, Any]) -> str | None:
        rates = cfg["faults"]
        key = (cfg["fault_seed"], cfg["fault_epoch"])
        if key != self.rng_key:
            self.rng, self.rng_key = random.Random(cfg["fault_seed"]), key
        if not any(rates.values()):
            return None
        draw, total = self.rng.random(), 0.0
        for kind in config_mod.FAULT_KINDS:
            total += rates[kind]
            if draw < total:
                return kind
        return None


@dataclass
class Ctx:
    """One authenticated REST request."""

    request: Request
    store: Store
    config: dict[str, Any]
    user: dict[str, Any]
    company_id: int | None

    @property
    def params(self) -> Any:
        return self.request.query_params

    @property
    def path(self) -> dict[str, Any]:
        return self.request.path_params


def _token_user(tx: Tx, token: str | None) -> tuple[dict[str, Any] | None, str]:
    if not token:
        return None, "The access token is missing"
    row = tx.conn.execute(
        "SELECT user_id, expires_at, revoked FROM tokens WHERE access_token = ?", (token,)
    ).fetchone()
    if row is None:
        return None, "The access token is invalid"
    if row[2]:
        return None, "The access token was revoked"
    if row[1] <= unix():
        return None, "The access token expired"
    return tx.get("user", row[0]), ""


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def unauthorized(reason: str) -> Response:
    return JSONResponse(
        {"error": "invalid_token", "error_description": reason}, 401,
        headers={"WWW-Authenticate": f'Bearer realm="Procore", error="invalid_token", '
                                     f'error_description="{reason}"'},
    )


def _fault_response(kind: str, cfg: dict[str, Any]) -> Response:
    if kind == "503":
        return PlainTextResponse("Service Unavailable", 503,
                                 headers={"Retry-After": str(cfg["retry_after"])})
    if kind == "429":
        reset = int(unix()) + cfg["rate_limit_spike_window"]
        return PlainTextResponse(errors.RATE_LIMITED, 429, headers={
            "X-Rate-Limit-Limit": str(cfg["rate_limit_spike"]), "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(reset)})
    return JSONResponse({"errors": "500 Internal Server Error"}, 500)


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


def rest(handler: Handler, *, header: str = "always") -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler; ``header`` is "always" or "service_accounts" (``/me``, ``/companies``)."""

    async def endpoint(request: Request) -> Response:
        state: EmulatorState = request.app.state.emulator
        template = f"{request.method} {request.scope['route'].path}"
        with state.store.tx(write=True) as tx:
            tx.count_request(template)
            cfg = config_mod.load(tx)
            user, reason = _token_user(tx, _bearer(request))
            verdict = ratelimit.consume(tx, _bearer(request) or "", cfg, unix()) if user else None
        if cfg["latency_ms"]:
            await anyio.sleep(cfg["latency_ms"] / 1000)
        if user is None or verdict is None:
            return unauthorized(reason)
        if not verdict.allowed:
            return PlainTextResponse(errors.RATE_LIMITED, 429, headers=verdict.headers)
        fault = state.fault(cfg)
        if fault and fault != "lost_response":
            response = _fault_response(fault, cfg)
            if fault != "429":
                response.headers.update(verdict.headers)
            return response
        try:
            needed = header == "always" or bool(user.get("service_account"))
            company_id = _company_header(request, user, needed)
            response = await handler(Ctx(request, state.store, cfg, user, company_id))
        except errors.ApiError as exc:
            response = exc.response()
        response.headers.update(verdict.headers)
        if fault == "lost_response":
            return DroppedResponse(response.body, response.status_code, dict(response.headers))
        return response

    return endpoint
