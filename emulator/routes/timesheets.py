"""Project timesheets and the company Timesheets index (list of timecard data, bulk create)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator import errors, records
from emulator import timeshapes as shapes
from emulator.gateway import Ctx, rest
from emulator.routes.common import company_for, json_body, list_response, project_for, wrapped
from emulator.routes.timecards import KIND, bulk_create, company_entries, range_filter
from emulator.serializers import full_name
from emulator.store import Tx
from emulator.timeutil import in_range, parse_date, today_in, work_week

Record = dict[str, Any]


def _entries(tx: Tx, sheet: Record) -> list[Record]:
    return [e for e in tx.query(KIND, project_id=sheet["project_id"], date_from=sheet["date"],
                                date_to=sheet["date"]) if e.get("timesheet_id") == sheet["id"]]


def _sheet(tx: Tx, project: Record, sheet_id: Any) -> Record:
    found = tx.get("timesheet", sheet_id)
    if found is None or found["project_id"] != project["id"]:
        raise errors.not_found()
    return found


def create(ctx: Ctx) -> Response:
    body = wrapped(json_body(ctx), "timesheet")
    with ctx.store.tx(write=True) as tx:
        project = project_for(tx, ctx, ctx.path["project_id"])
        day = parse_date(body.get("date"))
        if not day:
            raise errors.unprocessable({"date": ["can't be blank"]})
        number = len(tx.query("timesheet", project_id=project["id"], date_from=day, date_to=day,
                              deleted=None)) + 1
        sheet = records.new_record(company_id=project["company_id"], project_id=project["id"],
                                   date=day, number=number, name=f"{day} - {number:02d}",
                                   status="pending", created_by_id=ctx.user["id"])
        tx.insert("timesheet", sheet)
        return JSONResponse(shapes.timesheet(tx, sheet, []), 201)


def project_list(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        project = project_for(tx, ctx, ctx.path["project_id"])
        deleted, updated = range_filter(ctx, "deleted_at"), range_filter(ctx, "updated_at")
        dates = range_filter(ctx, "date")
        items = tx.query("timesheet", project_id=project["id"], deleted=deleted is not None)
        items = [s for s in items
                 if (deleted is None or in_range(s["deleted_at"], deleted))
                 and (updated is None or in_range(s["updated_at"], updated))
                 and (dates is None or in_range(s["date"] + "T12:00:00Z", dates))]
        rendered = [shapes.timesheet(tx, s, _entries(tx, s)) for s in items]
    return list_response(ctx, rendered)


def show(ctx: Ctx) -> Response:
    with ctx.store.tx() as tx:
        project = project_for(tx, ctx, ctx.path["project_id"])
        sheet = _sheet(tx, project, ctx.path["id"])
        return JSONResponse(shapes.timesheet(tx, sheet, _entries(tx, sheet)))


def update_approval(ctx: Ctx) -> Response:
    """Sets each listed timesheet (and its entries) to pending or approved.

    Procore's spec answers with one timesheet object although several can be sent; the emulator
    returns the last one listed.
    """
    body = json_body(ctx)
    changes = body.get("timesheets")
    if not isinstance(changes, list) or not changes:
        raise errors.bad_request("param is missing or the value is empty: timesheets")
    with ctx.store.tx(write=True) as tx:
        project = project_for(tx, ctx, ctx.path["project_id"])
        sheet: Record | None = None
        for change in changes:
            status = change.get("status") if isinstance(change, dict) else None
            if status not in ("pending", "approved"):
                raise errors.bad_request("Invalid status; valid statuses are pending, approved")
            sheet = _sheet(tx, project, change.get("id"))
            records.update(tx, "timesheet", sheet, {"status": status}, actor_id=ctx.user["id"])
            for entry in _entries(tx, sheet):
                records.update(tx, KIND, entry, {"approval_status": status}, actor_id=ctx.user["id"])
        assert sheet is not None
        return JSONResponse(shapes.timesheet(tx, sheet, _entries(tx, sheet)))


def company_list(ctx: Ctx) -> Response:
    """Timecard data per person; the current work week unless start_date and end_date are given."""
    with ctx.store.tx() as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])
        low, high = parse_date(ctx.params.get("start_date")), parse_date(ctx.params.get("end_date"))
        if not (low and high):
            low, high = work_week(today_in(None, ctx.config["today"]))
        by_party: dict[int, list[Record]] = {}
        for entry in company_entries(tx, ctx, company, low, high):
            by_party.setdefault(entry.get("party_id") or 0, []).append(entry)
        rendered = []
        for party_id, entries in sorted(by_party.items()):
            person = tx.get("person", party_id, include_deleted=True)
            rendered.append({
                "party": {"id": party_id, "name": full_name(person)} if person else None,
                "other_hours": [],
                "timecard_entries": [shapes.timecard_bulk_company(tx, e) for e in entries],
            })
    return list_response(ctx, rendered, links=False)


def company_bulk_create(ctx: Ctx) -> Response:
    body = json_body(ctx)
    items = body.get("timecard_entries")
    if not isinstance(items, list) or not items:
        raise errors.bad_request("param is missing or the value is empty: timecard_entries")
    with ctx.store.tx(write=True) as tx:
        company = company_for(tx, ctx, ctx.path["company_id"])

        def project_of(item: Record) -> Record:
            project = project_for(tx, ctx, item.get("project_id"))
            if project["company_id"] != company["id"]:
                raise errors.not_found()
            return project

        created = bulk_create(tx, ctx, items, project_of)
        return JSONResponse([shapes.timecard_bulk_company(tx, e) for e in created], 200)


ROUTES = [
    Route("/rest/v1.0/projects/{project_id}/timesheets", rest(project_list), methods=["GET"]),
    Route("/rest/v1.0/projects/{project_id}/timesheets", rest(create), methods=["POST"]),
    Route("/rest/v1.0/projects/{project_id}/timesheets/update_approval", rest(update_approval),
          methods=["PATCH"]),
    Route("/rest/v1.0/projects/{project_id}/timesheets/{id}", rest(show), methods=["GET"]),
    Route("/rest/v1.0/companies/{company_id}/timesheets", rest(company_list), methods=["GET"]),
    Route("/rest/v1.0/companies/{company_id}/timesheets", rest(company_bulk_create), methods=["POST"]),
]
