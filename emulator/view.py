"""Read-only HTML pages of the control API: an index of companies and projects, a project day."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any
from urllib.parse import urlencode

from starlette.responses import HTMLResponse

from emulator.serializers import full_name
from emulator.store import Store, Tx
from emulator.timeutil import parse_date, today_in

_STYLE = ("<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse;"
          "margin-bottom:1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}"
          ".deleted{color:#999;text-decoration:line-through}</style>")


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(headers: list[str], rows: list[tuple[list[Any], bool]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        f"<tr{' class=deleted' if deleted else ''}>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>"
        for cells, deleted in rows
    )
    return f"<table><tr>{head}</tr>{body or '<tr><td colspan=99>nothing</td></tr>'}</table>"


def index_page(store: Store) -> HTMLResponse:
    parts = [f"<!doctype html><title>Procore emulator</title>{_STYLE}<h1>Procore emulator</h1>"]
    with store.tx() as tx:
        for company in tx.query("company"):
            parts.append(f"<h2>{_e(company['name'])} (company {company['id']})</h2><ul>")
            for project in tx.query("project", company_id=company["id"]):
                link = "/_emulator/view?" + urlencode({"project_id": project["id"]})
                parts.append(f"<li><a href='{link}'>{_e(project['display_name'])}</a> "
                             f"(project {project['id']})</li>")
            parts.append("</ul>")
    return HTMLResponse("".join(parts))


def _name(tx: Tx, kind: str, record_id: Any, key: str = "name") -> str:
    found = tx.get(kind, record_id, include_deleted=True) if record_id else None
    if not found:
        return ""
    return full_name(found) if kind == "person" else str(found.get(key) or "")


def project_day_page(store: Store, params: Any) -> HTMLResponse:
    with store.tx() as tx:
        project = tx.get("project", params.get("project_id"))
        if project is None:
            return HTMLResponse("<!doctype html><p>Unknown project_id</p>", 404)
        stored_today = tx.kv_get("config", {}).get("today")
        day = parse_date(params.get("date")) or today_in(project["time_zone"], stored_today)
        rows = {kind: tx.query(kind, project_id=project["id"], date_from=day, date_to=day, deleted=None)
                for kind in ("manpower_log", "quantity_log", "timecard_entry")}
        manpower = [([r["id"], _name(tx, "vendor", r["contact_id"]), r["num_workers"], r["num_hours"],
                      _name(tx, "cost_code", r["cost_code_id"], "full_code"), r["status"], r["notes"],
                      r["updated_at"]], bool(r["deleted_at"])) for r in rows["manpower_log"]]
        quantities = [([r["id"], _name(tx, "cost_code", r["cost_code_id"], "full_code"), r["quantity"],
                        r["unit"], r["description"], r["updated_at"]], bool(r["deleted_at"]))
                      for r in rows["quantity_log"]]
        timecards = [([r["id"], _name(tx, "person", r["party_id"]),
                       _name(tx, "cost_code", r["cost_code_id"], "full_code"),
                       _name(tx, "timecard_time_type", r["timecard_time_type_id"], "abbreviated_time_type"),
                       r["hours"], r["approval_status"], r["origin_id"], r["updated_at"]],
                      bool(r["deleted_at"])) for r in rows["timecard_entry"]]
    nav = " ".join(
        f"<a href='/_emulator/view?{urlencode({'project_id': project['id'], 'date': d})}'>{label}</a>"
        for label, d in (("previous day", _shift(day, -1)), ("next day", _shift(day, 1)))
    )
    page = (f"<!doctype html><title>{_e(project['display_name'])} {day}</title>{_STYLE}"
            f"<p><a href='/_emulator/'>all projects</a> | {nav}</p>"
            f"<h1>{_e(project['display_name'])}</h1><h2>{day}</h2>"
            "<h3>Manpower</h3>" + _table(["id", "vendor", "workers", "hours each", "cost code", "status",
                                           "notes", "updated"], manpower)
            + "<h3>Quantities</h3>" + _table(["id", "cost code", "quantity", "unit", "description",
                                               "updated"], quantities)
            + "<h3>Timecards</h3>" + _table(["id", "person", "cost code", "time type", "hours",
                                              "approval", "origin id", "updated"], timecards)
            + "<p>Deleted records are struck through.</p>")
    return HTMLResponse(page)


def _shift(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()
