"""Me, companies, projects, vendors, people, users, cost codes, classifications, time types, crews."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator import errors
from emulator import serializers as ser
from emulator.gateway import Ctx, rest
from emulator.routes.common import company_for, flag, id_list, list_response, project_for
from emulator.timeutil import in_range, parse_range


def _updated_filter(ctx: Ctx, items: list[dict[str, Any]], key: str = "updated_at") -> list[dict[str, Any]]:
    raw = ctx.params.get(f"filters[{key}]")
    if not raw:
        return items
    try:
        bounds = parse_range(raw)
    except ValueError:
        raise errors.bad_request(f"filters[{key}] must be a date or datetime range") from None
    return [item for item in items if in_range(item.get(key), bounds)]


def _origin_filter(ctx: Ctx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    origin = ctx.params.get("filters[origin_id]")
    return items if origin is None else [i for i in items if str(i.get("origin_id")) == origin]


def _search(value: str | None, *fields: Any) -> bool:
    return not value or any(value.lower() in str(f or "").lower() for f in fields)


def me(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        scope = ctx.params.get("company_id") or ctx.params.get("project_id")
        if ctx.params.get("project_id"):
            project_for(tx, ctx, ctx.params["project_id"])
        elif ctx.params.get("company_id"):
            company_for(tx, ctx, ctx.params["company_id"])
    user = ctx.user
    return JSONResponse({"id": user["id"], "login": user["login"], "name": user["name"] if scope else None})


def companies(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        items = [ser.company(c) for c in tx.query("company") if c["id"] in ctx.user["company_ids"]]
    return list_response(ctx, items)


def _projects(ctx: Ctx, view: str) -> Response:
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.params.get("company_id"))
        items = tx.query("project", company_id=company["id"])
        status = (ctx.params.get("filters[by_status]") or "Active").lower()
        if status != "all":
            items = [p for p in items if p["active"] == (status == "active")]
        ids = id_list(ctx, "filters[id]")
        number = ctx.params.get("filters[project_number]")
        name = ctx.params.get("filters[name]")
        items = [
            p for p in _origin_filter(ctx, _updated_filter(ctx, items))
            if (not ids or p["id"] in ids)
            and (number is None or p["project_number"] == number)
            and _search(name, p["name"], p["display_name"])
        ]
        rendered = [ser.project(tx, p, view) for p in items]
    return list_response(ctx, rendered)


def projects_v10(ctx: Ctx) -> Response:
    view = "compact" if ctx.params.get("serializer_view") == "compact" else "normal"
    return _projects(ctx, view)


def projects_v11(ctx: Ctx) -> Response:
    view = ctx.params.get("view") or "normal"
    if view not in ("ids", "compact", "normal", "extended"):
        raise errors.bad_request("view must be one of ids, compact, normal, extended")
    return _projects(ctx, view)


def vendors(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.params.get("company_id"))
        ids = id_list(ctx, "filters[id]")
        search = ctx.params.get("filters[search]")
        items = [
            ser.vendor(v)
            for v in _origin_filter(ctx, _updated_filter(ctx, tx.query("vendor", company_id=company["id"])))
            if (not ids or v["id"] in ids) and _search(search, v["name"], v["abbreviated_name"])
        ]
    return list_response(ctx, items)


def people(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])
        items = tx.query("person", company_id=company["id"])
        employee = flag(ctx.params.get("filters[is_employee]"))
        if employee is not None:
            items = [p for p in items if p["is_employee"] == employee]
        if flag(ctx.params.get("filters[without_reference_users]")):
            items = [p for p in items if p["user_id"] is not None]
        if flag(ctx.params.get("filters[reference_users_only]")):
            items = [p for p in items if p["user_id"] is None]
        vendor_ids = id_list(ctx, "filters[vendor_id]")
        search = ctx.params.get("filters[search]")
        items = [
            p for p in items
            if (not vendor_ids or p["vendor_id"] in vendor_ids)
            and _search(search, ser.full_name(p), p["email_address"], p["job_title"])
        ]
        rendered = [ser.person(tx, p) for p in items]
    return list_response(ctx, rendered)


def users(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])
        items = [p for p in tx.query("person", company_id=company["id"])
                 if p["user_id"] is not None and p["is_active"]]
        vendor_ids = id_list(ctx, "filters[vendor_id]")
        search = ctx.params.get("filters[search]")
        items = [
            p for p in _origin_filter(ctx, _updated_filter(ctx, items))
            if (not vendor_ids or p["vendor_id"] in vendor_ids)
            and _search(search, ser.full_name(p), p["email_address"], p["job_title"])
        ]
        rendered = [ser.user(tx, p) for p in items]
    return list_response(ctx, rendered)


def cost_codes(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        project = project_for(tx, ctx, ctx.params.get("project_id"))
        ids = id_list(ctx, "filters[id]")
        items = [ser.cost_code(c)
                 for c in _origin_filter(ctx, tx.query("cost_code", project_id=project["id"]))
                 if not ids or c["id"] in ids]
    return list_response(ctx, items)


def standard_cost_code_lists(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.params.get("company_id"))
        items = [ser.standard_cost_code_list(x)
                 for x in tx.query("standard_cost_code_list", company_id=company["id"])]
    return list_response(ctx, items)


def standard_cost_codes(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.params.get("company_id"))
        list_id = ctx.params.get("standard_cost_code_list_id")
        if not list_id:
            raise errors.bad_request("standard_cost_code_list_id is missing")
        code_list = tx.get("standard_cost_code_list", list_id)
        if code_list is None or code_list["company_id"] != company["id"]:
            raise errors.not_found()
        view = ctx.params.get("view") or "default"
        items = [ser.standard_cost_code(c, view)
                 for c in _origin_filter(ctx, tx.query("standard_cost_code", company_id=company["id"]))
                 if c["standard_cost_code_list_id"] == code_list["id"]]
    return list_response(ctx, items)


def work_classifications(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])
        items = [ser.work_classification(w)
                 for w in tx.query("work_classification", company_id=company["id"])]
    return list_response(ctx, items)


def company_time_types(ctx: Ctx) -> Response:
    """Not paginated in Procore's spec: every time type in one answer."""
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])
        items = [ser.time_type(t) for t in tx.query("timecard_time_type", company_id=company["id"])]
    return JSONResponse(items)


def project_time_types(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        project = project_for(tx, ctx, ctx.params.get("project_id"))
        items = [ser.time_type(t)
                 for t in tx.query("timecard_time_type", company_id=project["company_id"])]
    return list_response(ctx, items)


def crews(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        project = project_for(tx, ctx, ctx.path["project_id"])
        items = [ser.crew(tx, c) for c in _updated_filter(ctx, tx.query("crew", project_id=project["id"]))]
    return list_response(ctx, items)


ROUTES = [
    Route("/rest/v1.0/me", rest(me, header="service_accounts")),
    Route("/rest/v1.0/companies", rest(companies, header="service_accounts")),
    Route("/rest/v1.0/projects", rest(projects_v10)),
    Route("/rest/v1.1/projects", rest(projects_v11)),
    Route("/rest/v1.0/vendors", rest(vendors)),
    Route("/rest/v1.0/companies/{company_id}/people", rest(people)),
    Route("/rest/v1.0/companies/{company_id}/users", rest(users)),
    Route("/rest/v1.0/cost_codes", rest(cost_codes)),
    Route("/rest/v1.0/standard_cost_code_lists", rest(standard_cost_code_lists)),
    Route("/rest/v1.0/standard_cost_codes", rest(standard_cost_codes)),
    Route("/rest/v1.0/companies/{company_id}/work_classifications", rest(work_classifications)),
    Route("/rest/v1.0/companies/{company_id}/timecard_time_types", rest(company_time_types)),
    Route("/rest/v1.0/timecard_time_types", rest(project_time_types)),
    Route("/rest/v1.0/projects/{project_id}/crews", rest(crews)),
]
