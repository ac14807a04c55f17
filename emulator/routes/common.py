"""Helpers shared by the resource handlers: scoping, request bodies and list responses."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse, Response

from emulator import errors
from emulator.gateway import Ctx
from emulator.pagination import paginate
from emulator.store import Tx


def int_or_404(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise errors.not_found() from None


def company_for(tx: Tx, ctx: Ctx, company_id: Any) -> dict[str, Any]:
    """The company if the caller may see it (and it is the one named in the header)."""
    if company_id in (None, ""):
        raise errors.bad_request("company_id is missing")
    cid = int_or_404(company_id)
    found = tx.get("company", cid)
    if found is None or cid not in ctx.user["company_ids"]:
        raise errors.not_found()
    if ctx.company_id is not None and ctx.company_id != cid:
        raise errors.not_found()
    return found


def project_for(tx: Tx, ctx: Ctx, project_id: Any) -> dict[str, Any]:
    """The project if it belongs to a company the caller sees, else 404 (as Procore answers)."""
    if project_id in (None, ""):
        raise errors.bad_request("project_id is missing")
    found = tx.get("project", int_or_404(project_id))
    if found is None or found["company_id"] not in ctx.user["company_ids"]:
        raise errors.not_found()
    if ctx.company_id is not None and ctx.company_id != found["company_id"]:
        raise errors.not_found()
    return found


def json_body(ctx: Ctx) -> dict[str, Any]:
    """The request's JSON object (``{}`` when the body is empty); 400 for anything else."""
    raw = ctx.body
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise errors.bad_request("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise errors.bad_request("The request body must be a JSON object")
    return body


def wrapped(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The object under the root key (``{"manpower_log": {...}}``), else 400 as Procore does."""
    inner = body.get(key)
    if not isinstance(inner, dict):
        raise errors.bad_request(f"param is missing or the value is empty: {key}")
    return inner


def list_response(ctx: Ctx, items: list[Any], *, links: bool = True) -> Response:
    page, headers = paginate(ctx.request, items, ctx.config["max_per_page"], links=links)
    return JSONResponse(page, headers=headers)


def flag(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in ("true", "1", "yes")


def id_list(ctx: Ctx, name: str) -> list[int]:
    """``filters[x][]=1&filters[x][]=2``, ``filters[x]=1,2`` and ``filters[x]=[1,2]`` alike."""
    raw = ctx.params.getlist(name) + ctx.params.getlist(name + "[]")
    ids: list[int] = []
    for value in raw:
        for part in value.strip("[]").split(","):
            if part.strip():
                ids.append(int_or_404(part.strip()))
    return ids
