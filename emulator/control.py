"""The ``/_emulator/`` control API (not part of Procore): reset, config, stats, act, world.

Only loopback clients may call it; it needs no token.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator import config as config_mod
from emulator import records, seed
from emulator.gateway import EmulatorState, in_thread
from emulator.records import LABELS
from emulator.store import Store
from emulator.timeutil import today_in
from emulator.view import index_page, project_day_page

DEFAULT_JOB_SITES = 8
DEFAULT_EMPLOYEES = 40
LOOPBACK = ("127.0.0.1", "::1", "localhost")
_READ_ONLY = ("id", "company_id", "project_id", "created_at", "created_by_id")


def reset_world(store: Store, *, seed_value: int, job_sites: int, employees: int,
                keep_tokens: bool = True) -> dict[str, Any]:
    """Wipe records (and stats and rate windows) and build the seed world again."""
    with store.tx(write=True) as tx:
        tx.clear_records()
        if not keep_tokens:
            tx.conn.execute("DELETE FROM tokens")
            tx.conn.execute("DELETE FROM codes")
        today = today_in(None, config_mod.load(tx)["today"])
        return seed.build(tx, seed=seed_value, job_sites=job_sites, employees=employees, today=today)


ControlHandler = Callable[[Request, bytes], Response]


def _guard(handler: ControlHandler) -> Callable[[Request], Awaitable[Response]]:
    """Loopback callers only; the handler gets the raw body and runs in a worker thread."""

    async def endpoint(request: Request) -> Response:
        host = request.client.host if request.client else ""
        if host not in LOOPBACK:
            return JSONResponse({"error": "The emulator control API is only served to loopback clients"}, 403)
        response: Response = await in_thread(handler, request, await request.body())
        return response

    return endpoint


def _body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


def reset(request: Request, raw: bytes) -> Response:
    try:
        body = _body(raw)
        sizes = {k: body.get(k, d) for k, d in (("job_sites", DEFAULT_JOB_SITES),
                                                ("employees", DEFAULT_EMPLOYEES))}
        seed_value = body.get("seed", _state(request).seed)
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                   for v in (seed_value, *sizes.values())):
            raise ValueError("seed, job_sites and employees must be non-negative integers")
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, 400)
    summary = reset_world(_state(request).store, seed_value=seed_value,
                          keep_tokens=body.get("keep_tokens", True) is not False, **sizes)
    return JSONResponse({"reset": True, "seed": seed_value, **sizes, **summary})


def get_config(request: Request, raw: bytes) -> Response:
    with _state(request).store.tx() as tx:
        return JSONResponse(config_mod.load(tx))


def put_config(request: Request, raw: bytes) -> Response:
    try:
        changes = _body(raw)
        with _state(request).store.tx(write=True) as tx:
            merged = config_mod.merge(config_mod.load(tx), changes)
            config_mod.save(tx, merged)
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, 400)
    return JSONResponse(merged)


def get_stats(request: Request, raw: bytes) -> Response:
    with _state(request).store.tx() as tx:
        counts = tx.stats()
    faults = _state(request).faults
    return JSONResponse({"total": sum(counts.values()), "requests": counts, "faults_fired": dict(faults.fired),
                         "late_commits_pending": len(faults.late)})


def land_late_writes(request: Request, raw: bytes) -> Response:
    """Writes given up on (the `late_commit` fault) land now instead of when their delay ends."""
    return JSONResponse({"landing": _state(request).faults.land_now()})


def clear_stats(request: Request, raw: bytes) -> Response:
    with _state(request).store.tx(write=True) as tx:
        tx.clear_stats()
    _state(request).faults.fired.clear()
    return JSONResponse({"total": 0, "requests": {}})


def world(request: Request, raw: bytes) -> Response:
    with _state(request).store.tx() as tx:
        return JSONResponse(tx.kv_get("world", {}))


def _act_changes(kind: str, action: str, fields: dict[str, Any]) -> dict[str, Any]:
    if action == "approve":
        return {"approval_status" if kind == "timecard_entry" else "status": "approved"}
    if action == "lock":
        return {"locked": True}
    if action == "update":
        bad = [k for k in fields if k in _READ_ONLY]
        if bad or not fields:
            raise ValueError(f"fields must be a non-empty object without {', '.join(_READ_ONLY)}")
        return fields
    raise ValueError("action must be one of update, delete, approve, lock")


def act(request: Request, raw: bytes) -> Response:
    """Do what a person in Procore would: edit, delete, approve or lock a record."""
    store = _state(request).store
    try:
        body = _body(raw)
        kind, action = body.get("kind"), body.get("action")
        if kind not in LABELS:
            raise ValueError(f"kind must be one of {', '.join(LABELS)}")
        fields = body.get("fields") or {}
        if not isinstance(fields, dict):
            raise ValueError("fields must be an object")
        with store.tx(write=True) as tx:
            record = tx.get(kind, body.get("id"))
            if record is None:
                return JSONResponse({"error": f"no live {kind} with id {body.get('id')}"}, 404)
            actor = tx.kv_get("world", {}).get("users", {}).get("user", 0)
            if action == "delete":
                records.soft_delete(tx, kind, record, actor_id=actor)
            else:
                records.update(tx, kind, record, _act_changes(kind, str(action), fields), actor_id=actor)
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, 400)
    return JSONResponse({"kind": kind, "action": action, "record": record})


def view(request: Request, raw: bytes) -> Response:
    return project_day_page(_state(request).store, request.query_params)


def index(request: Request, raw: bytes) -> Response:
    return index_page(_state(request).store)


ROUTES = [
    Route("/_emulator/", _guard(index), methods=["GET"]),
    Route("/_emulator/reset", _guard(reset), methods=["POST"]),
    Route("/_emulator/config", _guard(get_config), methods=["GET"]),
    Route("/_emulator/config", _guard(put_config), methods=["PUT"]),
    Route("/_emulator/stats", _guard(get_stats), methods=["GET"]),
    Route("/_emulator/stats", _guard(clear_stats), methods=["DELETE"]),
    Route("/_emulator/act", _guard(act), methods=["POST"]),
    Route("/_emulator/late_writes", _guard(land_late_writes), methods=["POST"]),
    Route("/_emulator/world", _guard(world), methods=["GET"]),
    Route("/_emulator/view", _guard(view), methods=["GET"]),
]
