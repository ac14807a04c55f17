"""Timecard entries: Daily Log project family (v1.0), company Timecard family, v1.1 bulk create."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator import errors, records
from emulator import timeshapes as shapes
from emulator.gateway import Ctx, rest
from emulator.routes.common import (
    company_for,
    id_list,
    json_body,
    list_response,
    project_for,
    wrapped,
)
from emulator.routes.daily_logs import log_window, project_today
from emulator.store import Tx
from emulator.timecards import entry_fields
from emulator.timeutil import in_range, parse_date, parse_range

Record = dict[str, Any]
KIND = "timecard_entry"
MAX_BULK = 25


def _locked(tx: Tx, entry: Record) -> bool:
    return records.lock_reason(tx, KIND, entry) is not None


def create_entry(tx: Tx, ctx: Ctx, project: Record, body: Record, *, default_date: str | None) -> Record:
    fields, check = entry_fields(tx, project, body, existing=None, default_date=default_date)
    check.raise_if_any()
    record = records.new_record(company_id=project["company_id"], project_id=project["id"],
                                created_by_id=ctx.user["id"], **fields)
    return tx.insert(KIND, record)


def update_entry(tx: Tx, ctx: Ctx, project: Record, entry: Record, body: Record) -> Record:
    records.ensure_unlocked(tx, KIND, entry)
    fields, check = entry_fields(tx, project, body, existing=entry, default_date=None)
    check.raise_if_any()
    if project["id"] != entry["project_id"]:
        fields.update(project_id=project["id"], company_id=project["company_id"])
    return records.update(tx, KIND, entry, fields, actor_id=ctx.user["id"])


# -- project family (Daily Log timecards) ------------------------------------------------------
def _project_entry(tx: Tx, project: Record, entry_id: Any) -> Record:
    found = tx.get(KIND, entry_id)
    if found is None or found["project_id"] != project["id"]:
        raise errors.not_found()
    return found


def project_list(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        project = project_for(tx, ctx, ctx.path["project_id"])
        low, high = log_window(ctx, project)
        creators = id_list(ctx, "filters[created_by_id]")
        items = [e for e in tx.query(KIND, project_id=project["id"], date_from=low, date_to=high)
                 if not creators or e["created_by_id"] in creators]
        rendered = [shapes.timecard_v10(tx, e, locked=_locked(tx, e)) for e in items]
    return list_response(ctx, rendered)


def project_show(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        project = project_for(tx, ctx, ctx.path["project_id"])
        entry = _project_entry(tx, project, ctx.path["id"])
        return JSONResponse(shapes.timecard_v10(tx, entry, locked=_locked(tx, entry)))


def project_create(ctx: Ctx) -> Response:
    body = wrapped(json_body(ctx), KIND)
    with ctx.store.tx(write=True) as tx:
        project = project_for(tx, ctx, ctx.path["project_id"])
        entry = create_entry(tx, ctx, project, body, default_date=project_today(ctx, project))
        return JSONResponse(shapes.timecard_v10(tx, entry, locked=False), 201)


def project_update(ctx: Ctx) -> Response:
    body = wrapped(json_body(ctx), KIND)
    with ctx.store.tx(write=True) as tx:
        project = project_for(tx, ctx, ctx.path["project_id"])
        entry = update_entry(tx, ctx, project, _project_entry(tx, project, ctx.path["id"]), body)
        return JSONResponse(shapes.timecard_v10(tx, entry, locked=_locked(tx, entry)))


def project_delete(ctx: Ctx) -> Response:
    with ctx.store.tx(write=True) as tx:
        project = project_for(tx, ctx, ctx.path["project_id"])
        entry = _project_entry(tx, project, ctx.path["id"])
        records.ensure_unlocked(tx, KIND, entry)
        records.soft_delete(tx, KIND, entry, actor_id=ctx.user["id"])
    return Response(status_code=200)


# -- company family ---------------------------------------------------------------------------
def _company_entry(tx: Tx, company: Record, entry_id: Any, *, include_deleted: bool = False) -> Record:
    found = tx.get(KIND, entry_id, include_deleted=include_deleted)
    if found is None or found["company_id"] != company["id"]:
        raise errors.not_found()
    return found


def range_filter(ctx: Ctx, name: str) -> tuple[str | None, str | None] | None:
    raw = ctx.params.get(f"filters[{name}]")
    if not raw:
        return None
    try:
        return parse_range(raw)
    except ValueError:
        raise errors.bad_request(f"filters[{name}] must be a date or datetime range") from None


def company_entries(tx: Tx, ctx: Ctx, company: Record, low: str | None, high: str | None) -> list[Record]:
    """Entries of a company; deleted ones only when ``filters[deleted_at]`` asks for them."""
    deleted = range_filter(ctx, "deleted_at")
    updated = range_filter(ctx, "updated_at")
    items = tx.query(KIND, company_id=company["id"], date_from=low, date_to=high,
                     deleted=deleted is not None)
    if deleted is not None:
        items = [e for e in items if in_range(e["deleted_at"], deleted)]
    if updated is not None:
        items = [e for e in items if in_range(e["updated_at"], updated)]
    return items


def company_list(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])
        low, high = parse_date(ctx.params.get("start_date")), parse_date(ctx.params.get("end_date"))
        ids, parties = id_list(ctx, "filters[id]"), id_list(ctx, "filters[party_id]")
        items = [e for e in company_entries(tx, ctx, company, low, high)
                 if (not ids or e["id"] in ids) and (not parties or e["party_id"] in parties)]
        rendered = [shapes.timecard_company(tx, e, locked=_locked(tx, e)) for e in items]
    return list_response(ctx, rendered)


def company_show(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])
        entry = _company_entry(tx, company, ctx.path["id"])
        return JSONResponse(shapes.timecard_company(tx, entry, locked=_locked(tx, entry)))


def _company_body(body: Record) -> tuple[Any, Record]:
    if body.get("project_id") in (None, ""):
        raise errors.bad_request("param is missing or the value is empty: project_id")
    return body["project_id"], wrapped(body, KIND)


def _project_in(tx: Tx, ctx: Ctx, company: Record, project_id: Any) -> Record:
    project = project_for(tx, ctx, project_id)
    if project["company_id"] != company["id"]:
        raise errors.not_found()
    return project


def company_create(ctx: Ctx) -> Response:
    project_id, body = _company_body(json_body(ctx))
    with ctx.store.tx(write=True) as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])
        project = _project_in(tx, ctx, company, project_id)
        entry = create_entry(tx, ctx, project, body, default_date=None)
        return JSONResponse(shapes.timecard_company(tx, entry, locked=False), 201)


def company_update(ctx: Ctx) -> Response:
    project_id, body = _company_body(json_body(ctx))
    with ctx.store.tx(write=True) as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])
        entry = _company_entry(tx, company, ctx.path["id"])
        project = _project_in(tx, ctx, company, project_id)
        if not body.get("date"):
            raise errors.unprocessable({"date": ["can't be blank"]})
        entry = update_entry(tx, ctx, project, entry, body)
        return JSONResponse(shapes.timecard_company(tx, entry, locked=_locked(tx, entry)))


def company_delete(ctx: Ctx) -> Response:
    """Unlike the project family, the company delete answers with the deleted entry."""
    with ctx.store.tx(write=True) as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])
        entry = _company_entry(tx, company, ctx.path["id"])
        records.ensure_unlocked(tx, KIND, entry)
        records.soft_delete(tx, KIND, entry, actor_id=ctx.user["id"])
        return JSONResponse(shapes.timecard_company(tx, entry, locked=True))


def change_history(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])
        entry = _company_entry(tx, company, ctx.path["id"], include_deleted=True)
        return JSONResponse(tx.history(KIND, entry["id"]))


# -- bulk create -------------------------------------------------------------------------------
def bulk_create(tx: Tx, ctx: Ctx, items: list[Any], project_for_item: Any) -> list[Record]:
    """All or nothing: any invalid entry → 422 naming each bad entry by index; nothing is stored."""
    problems: dict[str, list[str]] = {}
    created: list[Record] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems[f"timecard_entries[{index}]"] = ["must be an object"]
            continue
        try:
            project = project_for_item(item)
            created.append(create_entry(tx, ctx, project, item, default_date=None))
        except errors.ApiError as exc:
            if exc.status == 422:
                for field, messages in exc.body["errors"].items():
                    problems[f"timecard_entries[{index}].{field}"] = messages
            elif exc.status == 404:
                problems[f"timecard_entries[{index}].project_id"] = ["is invalid"]
            else:
                raise
    if problems:
        raise errors.unprocessable(problems)
    return created


def v11_bulk_create(ctx: Ctx) -> Response:
    body = json_body(ctx)
    items = body.get("timecard_entries")
    if not isinstance(items, list) or not items:
        raise errors.bad_request("param is missing or the value is empty: timecard_entries")
    if len(items) > MAX_BULK:
        raise errors.bad_request(f"A maximum of {MAX_BULK} timecard entries can be created at once")
    with ctx.store.tx(write=True) as tx:
        project = project_for(tx, ctx, ctx.path["project_id"])

        def same_project(item: Record) -> Record:
            if str(item.get("project_id")) != str(project["id"]):
                raise errors.unprocessable({"project_id": ["must match the project in the path"]})
            return project

        created = bulk_create(tx, ctx, items, same_project)  # an error rolls the transaction back
        return JSONResponse({"timecard_entries": [shapes.timecard_v11(tx, e) for e in created]}, 201)


ROUTES = [
    Route("/rest/v1.0/projects/{project_id}/timecard_entries", rest(project_list), methods=["GET"]),
    Route("/rest/v1.0/projects/{project_id}/timecard_entries", rest(project_create), methods=["POST"]),
    Route("/rest/v1.0/projects/{project_id}/timecard_entries/{id}", rest(project_show), methods=["GET"]),
    Route("/rest/v1.0/projects/{project_id}/timecard_entries/{id}", rest(project_update),
          methods=["PATCH"]),
    Route("/rest/v1.0/projects/{project_id}/timecard_entries/{id}", rest(project_delete),
          methods=["DELETE"]),
    Route("/rest/v1.0/companies/{company_id}/timecard_entries", rest(company_list), methods=["GET"]),
    Route("/rest/v1.0/companies/{company_id}/timecard_entries", rest(company_create), methods=["POST"]),
    Route("/rest/v1.0/companies/{company_id}/timecard_entries/{id}", rest(company_show), methods=["GET"]),
    Route("/rest/v1.0/companies/{company_id}/timecard_entries/{id}", rest(company_update),
          methods=["PATCH"]),
    Route("/rest/v1.0/companies/{company_id}/timecard_entries/{id}", rest(company_delete),
          methods=["DELETE"]),
    Route("/rest/v1.0/companies/{company_id}/timecard_entries/{id}/change_history",
          rest(change_history), methods=["GET"]),
    Route("/rest/v1.1/projects/{project_id}/project_timecard_entries/bulk_create",
          rest(v11_bulk_create), methods=["POST"]),
]
