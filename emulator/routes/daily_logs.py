"""Daily Log manpower and quantity logs (``/rest/v1.0/projects/{project_id}/...``)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator import errors, records
from emulator import timeshapes as shapes
from emulator.gateway import Ctx, rest
from emulator.routes.common import id_list, json_body, list_response, project_for, wrapped
from emulator.store import Tx
from emulator.timeutil import parse_date, today_in
from emulator.validation import Fields

Record = dict[str, Any]


def log_window(ctx: Ctx, project: Record) -> tuple[str, str]:
    """``log_date``, or ``start_date``+``end_date``; otherwise only today (procore-api.md §4.5)."""
    start, end = ctx.params.get("start_date"), ctx.params.get("end_date")
    if start and end:
        low, high = parse_date(start), parse_date(end)
        if not low or not high:
            raise errors.bad_request("start_date and end_date must be YYYY-MM-DD")
        return low, high
    if ctx.params.get("log_date"):
        day = parse_date(ctx.params["log_date"])
        if not day:
            raise errors.bad_request("log_date must be YYYY-MM-DD")
        return day, day
    today = today_in(project["time_zone"], ctx.config["today"])
    return today, today


def project_today(ctx: Ctx, project: Record) -> str:
    return today_in(project["time_zone"], ctx.config["today"])


def _manpower_fields(tx: Tx, project: Record, body: Record, existing: Record | None) -> Record:
    f = Fields(tx, project)
    out: Record = {}
    if "date" in body or "datetime" in body:
        out["date"] = f.date(body.get("date") or str(body.get("datetime"))[:10])
    if "num_workers" in body:
        out["num_workers"] = f.integer(body["num_workers"], "num_workers")
    if "num_hours" in body:
        out["num_hours"] = f.hours(body["num_hours"], "num_hours", allow_zero=True)
    if "notes" in body:
        out["notes"] = f.text(body["notes"], "notes")
    if "contact_id" in body:
        out["contact_id"] = f.ref("vendor", body["contact_id"], "contact_id")
    if "user_id" in body:
        out["user_id"] = _login_user(f, body["user_id"], project)
    if "cost_code_id" in body:
        out["cost_code_id"] = f.ref("cost_code", body["cost_code_id"], "cost_code_id", scope="project")
    for field in ("location_id", "trade_id"):
        if field in body:
            out[field] = None if body[field] in (None, "") else f.integer(body[field], field, minimum=None)
    if "status" in body:
        if body["status"] not in ("pending", "approved"):
            f.fail("status", "is not included in the list")
        out["status"] = body["status"]
    f.raise_if_any()
    return out


def _login_user(f: Fields, value: Any, project: Record) -> int | None:
    if value in (None, ""):
        return None
    for person in f.tx.query("person", company_id=project["company_id"]):
        if str(person["user_id"]) == str(value):
            return int(person["user_id"])
    f.fail("user_id", "is invalid")
    return None


def _quantity_fields(tx: Tx, project: Record, body: Record) -> Record:
    f = Fields(tx, project)
    out: Record = {}
    if "date" in body:
        out["date"] = f.date(body["date"])
    if "quantity" in body:
        out["quantity"] = f.integer(body["quantity"], "quantity", minimum=None)
    if "unit" in body:
        out["unit"] = f.text(body["unit"], "unit")
    if "description" in body:
        out["description"] = f.text(body["description"], "description")
    if "cost_code_id" in body:
        out["cost_code_id"] = f.ref("cost_code", body["cost_code_id"], "cost_code_id", scope="project")
    if "vendor_id" in body:
        out["vendor_id"] = f.ref("vendor", body["vendor_id"], "vendor_id")
    if "location_id" in body:
        out["location_id"] = None if body["location_id"] in (None, "") else f.integer(
            body["location_id"], "location_id", minimum=None)
    f.raise_if_any()
    return out


def _render(tx: Tx, kind: str, record: Record) -> Record:
    if kind == "manpower_log":
        return shapes.manpower_log(tx, record, locked=records.lock_reason(tx, kind, record) is not None)
    return shapes.quantity_log(tx, record)


def _owned(tx: Tx, kind: str, project: Record, record_id: Any) -> Record:
    found = tx.get(kind, record_id)
    if found is None or found["project_id"] != project["id"]:
        raise errors.not_found()
    return found


def _list(kind: str) -> Any:
    def handler(ctx: Ctx) -> Response:
        with ctx.store.tx() as tx:
            project = project_for(tx, ctx, ctx.path["project_id"])
            low, high = log_window(ctx, project)
            items = tx.query(kind, project_id=project["id"], date_from=low, date_to=high)
            if kind == "manpower_log":
                status = ctx.params.get("filters[status]") or "approved"
                if status != "all":
                    items = [i for i in items if i["status"] == status]
                vendors = id_list(ctx, "filters[vendor_id]")
                items = [i for i in items if not vendors or i["contact_id"] in vendors]
            creators = id_list(ctx, "filters[created_by_id]")
            items = [i for i in items if not creators or i["created_by_id"] in creators]
            items.sort(key=lambda i: (i["date"], i.get("position") or 0, i["id"]))
            rendered = [_render(tx, kind, i) for i in items]
        return list_response(ctx, rendered)

    return handler


def _show(kind: str) -> Any:
    def handler(ctx: Ctx) -> Response:
        with ctx.store.tx() as tx:
            project = project_for(tx, ctx, ctx.path["project_id"])
            return JSONResponse(_render(tx, kind, _owned(tx, kind, project, ctx.path["id"])))

    return handler


def _create(kind: str) -> Any:
    def handler(ctx: Ctx) -> Response:
        body = wrapped(json_body(ctx), kind)
        with ctx.store.tx(write=True) as tx:
            project = project_for(tx, ctx, ctx.path["project_id"])
            if kind == "manpower_log":
                fields = _manpower_fields(tx, project, body, None)
                defaults: Record = {"num_workers": 0, "num_hours": "0.0", "notes": None,
                                    "contact_id": None, "user_id": None, "cost_code_id": None,
                                    "location_id": None, "trade_id": None, "status": "pending"}
            else:
                fields = _quantity_fields(tx, project, body)
                if "quantity" not in fields:
                    raise errors.unprocessable({"quantity": ["can't be blank"]})
                defaults = {"unit": None, "description": None, "cost_code_id": None,
                            "vendor_id": None, "location_id": None, "status": "pending"}
            day = fields.pop("date", None) or project_today(ctx, project)
            record = records.new_record(
                company_id=project["company_id"], project_id=project["id"], date=day,
                position=records.next_position(tx, kind, project["id"], day),
                created_by_id=ctx.user["id"], **{**defaults, **fields})
            tx.insert(kind, record)
            return JSONResponse(_render(tx, kind, record), 201)

    return handler


def _update(kind: str) -> Any:
    def handler(ctx: Ctx) -> Response:
        body = wrapped(json_body(ctx), kind)
        with ctx.store.tx(write=True) as tx:
            project = project_for(tx, ctx, ctx.path["project_id"])
            record = _owned(tx, kind, project, ctx.path["id"])
            records.ensure_unlocked(tx, kind, record)
            if kind == "manpower_log":
                fields = _manpower_fields(tx, project, body, record)
            else:
                fields = _quantity_fields(tx, project, body)
            records.update(tx, kind, record, fields, actor_id=ctx.user["id"])
            return JSONResponse(_render(tx, kind, record))

    return handler


def _delete(kind: str) -> Any:
    def handler(ctx: Ctx) -> Response:
        with ctx.store.tx(write=True) as tx:
            project = project_for(tx, ctx, ctx.path["project_id"])
            record = _owned(tx, kind, project, ctx.path["id"])
            records.ensure_unlocked(tx, kind, record)
            records.soft_delete(tx, kind, record, actor_id=ctx.user["id"])
        return Response(status_code=200)

    return handler


def _routes(kind: str, segment: str) -> list[Route]:
    base = f"/rest/v1.0/projects/{{project_id}}/{segment}"
    return [
        Route(base, rest(_list(kind)), methods=["GET"]),
        Route(base, rest(_create(kind)), methods=["POST"]),
        Route(base + "/{id}", rest(_show(kind)), methods=["GET"]),
        Route(base + "/{id}", rest(_update(kind)), methods=["PATCH"]),
        Route(base + "/{id}", rest(_delete(kind)), methods=["DELETE"]),
    ]


ROUTES = _routes("manpower_log", "manpower_logs") + _routes("quantity_log", "quantity_logs")
