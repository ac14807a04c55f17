"""Timecard entry fields from a request body, shared by every timecard endpoint family."""

from __future__ import annotations

from typing import Any

from emulator.store import Tx
from emulator.validation import Fields, hours_between

Record = dict[str, Any]
APPROVAL_STATUSES = ("pending", "reviewed", "approved", "completed")

_PLAIN_IDS = ("location_id", "sub_job_id", "line_item_type_id", "login_information_id")


def entry_fields(
    tx: Tx, project: Record, body: Record, *, existing: Record | None, default_date: str | None
) -> tuple[Record, Fields]:
    """Stored fields for a create (``existing`` None) or the changed fields for an update.

    Errors are collected on the returned ``Fields``; the caller raises or reports them.
    """
    f = Fields(tx, project)
    out: Record = {}
    current = existing or {}
    if "date" in body or existing is None:
        raw = body.get("date") or (body.get("datetime") or "")[:10] or default_date
        if raw:
            out["date"] = f.date(raw)
        else:
            f.fail("date", "can't be blank")
    day = out.get("date") or current.get("date")
    refs = (("timecard_time_type_id", "timecard_time_type", "company"),
            ("cost_code_id", "cost_code", "project"),
            ("party_id", "person", "company"),
            ("timesheet_id", "timesheet", "project"),
            ("crew_id", "crew", "project"),
            ("work_classification_id", "work_classification", "company"))
    for field, kind, scope in refs:
        if field in body:
            out[field] = f.ref(kind, body[field], field, scope=scope)
    for field in _PLAIN_IDS:
        if field in body and body[field] not in (None, ""):
            out[field] = f.integer(body[field], field, minimum=None)
        elif field in body:
            out[field] = None
    if "lunch_time" in body:
        lunch = body["lunch_time"]
        out["lunch_time"] = None if lunch in (None, "") else f.integer(lunch, "lunch_time")
    for field in ("time_in", "time_out"):
        if field in body:
            out[field] = f.clock(body[field], field, day)
    if "hours" in body:
        out["hours"] = f.hours(body["hours"], "hours", allow_zero=False)
    elif existing is None:
        time_in, time_out = out.get("time_in"), out.get("time_out")
        if time_in and time_out:
            out["hours"] = f.hours(hours_between(time_in, time_out, out.get("lunch_time")),
                                   "hours", allow_zero=False)
        elif "hours" not in f.errors:
            f.fail("hours", "can't be blank")
    for field in ("description", "origin_data"):
        if field in body:
            out[field] = f.text(body[field], field)
    if "origin_id" in body:
        out["origin_id"] = None if body["origin_id"] in (None, "") else str(body["origin_id"])
    if "billable" in body:
        out["billable"] = f.boolean(body["billable"], "billable")
    if "approval_status" in body:
        status = body["approval_status"]
        if status not in APPROVAL_STATUSES:
            f.fail("approval_status", "is not included in the list")
        out["approval_status"] = status
    if existing is None:
        if not out.get("party_id") and not out.get("login_information_id") and "party_id" not in f.errors:
            f.fail("party", "must exist")
        out.setdefault("billable", False)
        out.setdefault("approval_status", "pending")
        for field in ("description", "origin_id", "origin_data", "time_in", "time_out", "lunch_time",
                      "timecard_time_type_id", "cost_code_id", "timesheet_id", "crew_id",
                      "work_classification_id", *_PLAIN_IDS):
            out.setdefault(field, None)
    return out, f
