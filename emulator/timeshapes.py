"""Daily logs, timecard entries and timesheets rendered per endpoint family.

Procore serializes one timecard entry differently per family (procore-api.md §4.8): the v1.0
project/company endpoints give ``cost_code`` as an object, the company bulk create and company
timesheet list give it as a string plus ``full_cost_code{id,name}``, v1.1 bulk create gives flat ids.
"""

from __future__ import annotations

from typing import Any

from emulator.serializers import cost_code_ref, full_name, user_ref
from emulator.store import Tx

Record = dict[str, Any]


def _datetime(record: Record) -> str:
    return f"{record['date']}T12:00:00Z"


def _vendor(tx: Tx, vendor_id: int | None) -> Record | None:
    found = tx.get("vendor", vendor_id, include_deleted=True) if vendor_id else None
    return {"id": found["id"], "name": found["name"]} if found else None


def _code_pair(tx: Tx, cost_code_id: int | None) -> Record | None:
    ref = cost_code_ref(tx, cost_code_id)
    return {"id": ref["id"], "name": ref["name"], "full_code": ref["full_code"]} if ref else None


def manpower_log(tx: Tx, record: Record, *, locked: bool) -> Record:
    vendor = tx.get("vendor", record["contact_id"], include_deleted=True) if record["contact_id"] else None
    contact = None
    if vendor:
        contact = {"id": vendor["id"], "name": vendor["name"], "business_phone": vendor["business_phone"],
                   "business_phone_extension": None, "email": vendor["email_address"],
                   "fax_number": None, "job_title": None, "login_information_id": None,
                   "mobile_phone": None, "vendor_name": vendor["name"]}
    user = user_ref(tx, record["user_id"]) if record.get("user_id") else None
    hours = float(record["num_hours"])
    return {
        "id": record["id"], "date": record["date"], "datetime": _datetime(record),
        "num_workers": record["num_workers"], "num_hours": record["num_hours"],
        "man_hours": str(round(record["num_workers"] * hours, 2)), "notes": record["notes"],
        "position": record["position"], "status": record["status"],
        "vendor": {"id": vendor["id"], "name": vendor["name"]} if vendor else None,
        "user": user, "contact": contact, "cost_code": _code_pair(tx, record["cost_code_id"]),
        "location": None, "trade": None, "created_by": user_ref(tx, record["created_by_id"]),
        "attachments": [], "custom_fields": {},
        "permissions": {"can_update": not locked, "can_delete": not locked},
        "created_at": record["created_at"], "updated_at": record["updated_at"],
        "deleted_at": record["deleted_at"],
    }


def quantity_log(tx: Tx, record: Record) -> Record:
    return {
        "id": record["id"], "date": record["date"], "datetime": _datetime(record),
        "description": record["description"], "position": record["position"],
        "quantity": record["quantity"], "unit": record["unit"],
        "cost_code": _code_pair(tx, record["cost_code_id"]), "location": None,
        "vendor": _vendor(tx, record["vendor_id"]), "created_by": user_ref(tx, record["created_by_id"]),
        "attachments": [], "daily_log_segment_id": None, "daily_log_segment": None,
        "created_at": record["created_at"], "updated_at": record["updated_at"],
        "deleted_at": record["deleted_at"],
    }


def _origin_int(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _party(tx: Tx, party_id: int | None) -> Record | None:
    found = tx.get("person", party_id, include_deleted=True) if party_id else None
    return {"id": found["id"], "name": full_name(found)} if found else None


def _time_type(tx: Tx, type_id: int | None) -> Record | None:
    found = tx.get("timecard_time_type", type_id, include_deleted=True) if type_id else None
    if not found:
        return None
    return {"id": found["id"], "abbreviated_time_type": found["abbreviated_time_type"],
            "company_id": found["company_id"], "global": found["global"],
            "time_type": found["time_type"]}


def _crew(tx: Tx, crew_id: int | None) -> Record | None:
    found = tx.get("crew", crew_id, include_deleted=True) if crew_id else None
    return {"id": found["id"], "name": found["name"]} if found else None


def _login(tx: Tx, entry: Record) -> Record | None:
    return user_ref(tx, entry.get("login_information_id")) if entry.get("login_information_id") else None


def timesheet_summary(tx: Tx, timesheet_id: int | None) -> Record | None:
    found = tx.get("timesheet", timesheet_id, include_deleted=True) if timesheet_id else None
    if not found:
        return None
    return {"id": found["id"], "date": found["date"], "name": found["name"], "number": found["number"],
            "status": found["status"], "created_by": user_ref(tx, found["created_by_id"]),
            "created_at": found["created_at"], "updated_at": found["updated_at"]}


def _common(entry: Record) -> Record:
    keys = ("id", "date", "hours", "time_in", "time_out", "lunch_time", "billable", "description",
            "approval_status", "origin_data", "line_item_type_id", "created_at", "updated_at",
            "deleted_at")
    return {k: entry.get(k) for k in keys}


def timecard_v10(tx: Tx, entry: Record, *, locked: bool) -> Record:
    """The v1.0 project family (Daily Log timecards): ``cost_code`` is an object."""
    timesheet = timesheet_summary(tx, entry.get("timesheet_id"))
    return {
        **_common(entry), "datetime": _datetime(entry), "injured": False, "signed": False,
        "origin_id": _origin_int(entry.get("origin_id")),
        "timesheet_status": timesheet["status"] if timesheet else None,
        "cost_code": cost_code_ref(tx, entry.get("cost_code_id")),
        "timecard_time_type": _time_type(tx, entry.get("timecard_time_type_id")),
        "timesheet": timesheet, "party": _party(tx, entry.get("party_id")),
        "login_information": _login(tx, entry), "crew": _crew(tx, entry.get("crew_id")),
        "sub_job": None, "location": None, "procore_signature": None,
        "created_by": user_ref(tx, entry["created_by_id"]), "custom_fields": {},
        "permissions": {"can_update": not locked, "can_delete": not locked},
        "automatically_split_timecard_entries": [],
    }


def timecard_company(tx: Tx, entry: Record, *, locked: bool) -> Record:
    """The company Timecard family: the v1.0 shape plus project and clock fields."""
    project = tx.get("project", entry["project_id"], include_deleted=True) or {"name": None}
    return {**timecard_v10(tx, entry, locked=locked), "in_progress": False, "timecard_type": "hours",
            "project": {"id": entry["project_id"], "name": project["name"]},
            "clock_in": None, "clock_out": None}


def _string_code(tx: Tx, entry: Record) -> tuple[str | None, Record | None]:
    ref = cost_code_ref(tx, entry.get("cost_code_id"))
    if not ref:
        return None, None
    return ref["full_code"], {"id": ref["id"], "name": ref["long_name"]}


def timecard_bulk_company(tx: Tx, entry: Record) -> Record:
    """Company bulk create / company timesheet list: ``cost_code`` is a string."""
    code, full = _string_code(tx, entry)
    return {
        "id": entry["id"], "created_at": entry["created_at"], "date": entry["date"],
        "deleted_at": entry["deleted_at"], "description": entry["description"],
        "billable": entry["billable"], "hours": entry["hours"], "updated_at": entry["updated_at"],
        "timecard_type": "hours", "cost_code": code, "full_cost_code": full,
        "origin_id": _origin_int(entry.get("origin_id")), "origin_data": entry.get("origin_data"),
        "timesheet_status": timesheet_summary(tx, entry.get("timesheet_id")),
        "created_by": user_ref(tx, entry["created_by_id"]), "login_information": _login(tx, entry),
        "party": _party(tx, entry.get("party_id")),
        "timecard_time_type": _time_type(tx, entry.get("timecard_time_type_id")),
        "line_item_type_id": entry.get("line_item_type_id"), "project_id": entry["project_id"],
    }


def timecard_v11(tx: Tx, entry: Record) -> Record:
    """v1.1 project_timecard_entries: flat ids, ``origin_id`` a string, ``cost_code`` a string."""
    code, full = _string_code(tx, entry)
    flat = ("project_id", "company_id", "timecard_time_type_id", "cost_code_id", "line_item_type_id",
            "work_classification_id", "party_id", "timesheet_id", "location_id", "crew_id",
            "sub_job_id")
    origin = entry.get("origin_id")
    lunch = entry.get("lunch_time")
    return {
        **_common(entry), **{k: entry.get(k) for k in flat},
        "lunch_time": None if lunch is None else str(lunch),
        "origin_id": None if origin is None else str(origin), "wbs_code_id": None,
        "in_progress": False, "signed": False, "approval_date": None, "approved_by_id": None,
        "cost_code": code, "full_cost_code": full,
    }


def timecard_in_timesheet(tx: Tx, entry: Record) -> Record:
    pair = _code_pair(tx, entry.get("cost_code_id"))
    tt = _time_type(tx, entry.get("timecard_time_type_id"))
    return {
        "id": entry["id"], "created_at": entry["created_at"], "date": entry["date"],
        "deleted_at": entry["deleted_at"], "description": entry["description"],
        "hours": entry["hours"], "updated_at": entry["updated_at"], "time_in": entry.get("time_in"),
        "time_out": entry.get("time_out"), "injured": False, "lunch_time": entry.get("lunch_time"),
        "billable": entry["billable"], "origin_id": _origin_int(entry.get("origin_id")),
        "origin_data": entry.get("origin_data"), "crew": _crew(tx, entry.get("crew_id")),
        "cost_code": pair, "created_by": user_ref(tx, entry["created_by_id"]),
        "login_information": _login(tx, entry), "location": None,
        "timecard_time_type": tt, "wbs_code_id": None, "party": _party(tx, entry.get("party_id")),
        "approval_status": entry["approval_status"],
    }


def timesheet(tx: Tx, record: Record, entries: list[Record] | None) -> Record:
    body = {
        "id": record["id"], "date": record["date"], "number": record["number"],
        "name": record["name"], "status": record["status"],
        "created_by": user_ref(tx, record["created_by_id"]),
        "created_at": record["created_at"], "updated_at": record["updated_at"],
        "deleted_at": record["deleted_at"],
    }
    if entries is not None:
        body["timecard_entries"] = [timecard_in_timesheet(tx, e) for e in entries]
    return body
