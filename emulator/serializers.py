"""Stored records rendered in the shapes Procore's responses use (one function per shape)."""

from __future__ import annotations

from typing import Any

from emulator.store import Tx

Record = dict[str, Any]


def user_ref(tx: Tx, user_id: int | None) -> Record | None:
    """``{id, login, name}`` for a login user (a seeded user or a person with a login)."""
    if user_id is None:
        return None
    user = tx.get("user", user_id)
    if user:
        return {"id": user["id"], "login": user["login"], "name": user["name"]}
    person = _person_by_user(tx, user_id)
    if person is None:
        return None
    return {"id": user_id, "login": person["email_address"], "name": full_name(person)}


def _person_by_user(tx: Tx, user_id: int) -> Record | None:
    row = tx.conn.execute(
        "SELECT id FROM records WHERE kind = 'person' AND json_extract(data, '$.user_id') = ? LIMIT 1",
        (user_id,),
    ).fetchone()
    return tx.get("person", row[0]) if row else None


def full_name(person: Record) -> str:
    return f"{person['first_name']} {person['last_name']}".strip()


def company(record: Record) -> Record:
    return {
        "id": record["id"], "name": record["name"], "is_active": record["is_active"],
        "logo_url": record["logo_url"], "pcn_business_experience": False, "my_company": True,
    }


def project(tx: Tx, record: Record, view: str = "normal") -> Any:
    if view == "ids":
        return record["id"]
    if view == "compact":
        return {"id": record["id"], "name": record["name"], "display_name": record["display_name"]}
    owner = tx.get("company", record["company_id"]) or {"name": None}
    keys = ("id", "name", "display_name", "project_number", "address", "city", "state_code",
            "country_code", "zip", "county", "time_zone", "latitude", "longitude", "stage",
            "phone", "created_at", "updated_at", "active", "origin_id", "origin_data", "origin_code")
    body = {key: record.get(key) for key in keys}
    body.update(is_demo=False, company={"id": record["company_id"], "name": owner["name"]})
    return body


def vendor(record: Record) -> Record:
    keys = ("id", "name", "abbreviated_name", "legal_name", "address", "city", "state_code",
            "country_code", "zip", "business_phone", "email_address", "is_active", "trade_name",
            "origin_id", "origin_code", "origin_data", "created_at", "updated_at")
    body = {key: record.get(key) for key in keys}
    body.update(parent=None, project_ids=[], trades=[], standard_cost_codes=[])
    return body


def _vendor_ref(tx: Tx, vendor_id: int | None) -> Record | None:
    found = tx.get("vendor", vendor_id, include_deleted=True) if vendor_id else None
    return {"id": found["id"], "name": found["name"]} if found else None


def person(tx: Tx, record: Record) -> Record:
    return {
        "id": record["id"], "first_name": record["first_name"], "last_name": record["last_name"],
        "name": full_name(record), "is_employee": record["is_employee"],
        "employee_id": record["employee_id"], "user_id": record["user_id"],
        "user_uuid": None, "work_classification_id": record["work_classification_id"],
        "job_title": record["job_title"], "origin_id": record["origin_id"],
        "contact": {"is_active": record["is_active"], "email": record["email_address"]},
        "vendor": _vendor_ref(tx, record["vendor_id"]),
        "created_at": record["created_at"], "updated_at": record["updated_at"],
    }


def user(tx: Tx, record: Record) -> Record:
    """A company user: a person seen through their login (``id`` is the user id)."""
    first, last = record["first_name"], record["last_name"]
    return {
        "id": record["user_id"], "first_name": first, "last_name": last, "name": full_name(record),
        "initials": (first[:1] + last[:1]).upper(), "email_address": record["email_address"],
        "employee_id": record["employee_id"], "is_employee": record["is_employee"],
        "is_active": record["is_active"], "job_title": record["job_title"],
        "work_classification_id": record["work_classification_id"], "contact_id": record["id"],
        "mobile_phone": record.get("mobile_phone"), "origin_id": record["origin_id"],
        "origin_data": record["origin_data"], "vendor": _vendor_ref(tx, record["vendor_id"]),
        "created_at": record["created_at"], "updated_at": record["updated_at"],
        "last_login_at": None,
    }


def cost_code(record: Record) -> Record:
    keys = ("id", "code", "full_code", "name", "position", "sortable_code", "standard_cost_code_id",
            "budgeted", "origin_id", "origin_data", "created_at", "updated_at", "deleted_at")
    body = {key: record.get(key) for key in keys}
    body.update(parent=None, biller=None, biller_id=None, biller_type=None, biller_origin_id=None,
                line_item_types=[])
    return body


def cost_code_ref(tx: Tx, cost_code_id: int | None) -> Record | None:
    found = tx.get("cost_code", cost_code_id, include_deleted=True) if cost_code_id else None
    if not found:
        return None
    return {"id": found["id"], "name": found["name"], "full_code": found["full_code"],
            "long_name": f"{found['full_code']} - {found['name']}"}


def standard_cost_code(record: Record, view: str) -> Record:
    body: Record = {"id": record["id"], "standard_cost_code_list_id": record["standard_cost_code_list_id"]}
    if view in ("compact", "extended"):
        body["origin_id"] = record["origin_id"]
    if view == "extended":
        body.update({k: record[k] for k in ("parent_id", "code", "full_code", "name", "origin_data")})
    return body


def standard_cost_code_list(record: Record) -> Record:
    return {k: record[k] for k in ("id", "name", "available_to_use_on_new_projects", "is_erp_list")}


def work_classification(record: Record) -> Record:
    keys = ("id", "name", "abbreviation", "company_id", "deletable", "company_visible",
            "created_by_id", "created_at", "updated_at")
    return {**{k: record[k] for k in keys}, "project_ids": []}


def time_type(record: Record) -> Record:
    return {
        "id": record["id"], "time_type": record["time_type"],
        "abbreviated_time_type": record["abbreviated_time_type"], "global": record["global"],
        "company_id": record["company_id"],
    }


def _party_detail(tx: Tx, person_id: int | None) -> Record | None:
    found = tx.get("person", person_id, include_deleted=True) if person_id else None
    if not found:
        return None
    keys = ("id", "first_name", "last_name", "is_employee", "employee_id", "user_id", "is_active")
    return {k: found[k] for k in keys}


def crew(tx: Tx, record: Record) -> Record:
    members = [m for m in (_party_detail(tx, pid) for pid in record["member_ids"]) if m]
    lead = _party_detail(tx, record["lead_id"])
    return {
        "id": record["id"], "name": record["name"], "project_id": record["project_id"],
        "company_id": record["company_id"],
        "employees": [user_ref(tx, m["user_id"]) for m in members if m["user_id"]],
        "lead": user_ref(tx, lead["user_id"]) if lead and lead["user_id"] else None,
        "lead_party": lead, "members": members,
        "created_by": user_ref(tx, record["created_by_id"]),
        "created_at": record["created_at"], "updated_at": record["updated_at"],
    }
