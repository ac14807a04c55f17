"""The seed world: a Procore user with two companies and a main company that mirrors the app's
demo data, with deliberate gaps and extras so that mapping is never one-to-one.

Same seed and sizes give the same ids and the same data (log dates follow the emulator's today).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from emulator.store import Tx

MAIN_COMPANY = "Northwind Builders"
TRAINING_COMPANY = "Northwind Builders (Training)"
USER_LOGIN = "jordan.avery@northwind.example"
USER_NAME = "Jordan Avery"
SERVICE_LOGIN = "procore-connect-demo@service.northwind.example"
SERVICE_NAME = "Procore Connect (Service Account)"

JOB_SITE_NAMES = (
    "Riverside Medical Center",
    "Harbor Point Apartments",
    "Lakeview School Expansion",
    "Prairie Logistics Hub",
    "Summit Ridge Offices",
    "Canyon Water Treatment",
    "Bayfront Hotel",
    "Cedar Hills Library",
)
CITIES = (
    ("Austin", "TX", "78701", "America/Chicago"),
    ("Denver", "CO", "80202", "America/Denver"),
    ("Portland", "OR", "97204", "America/Los_Angeles"),
    ("Omaha", "NE", "68102", "America/Chicago"),
    ("Boise", "ID", "83702", "America/Boise"),
    ("Phoenix", "AZ", "85004", "America/Phoenix"),
    ("Tampa", "FL", "33602", "America/New_York"),
    ("Madison", "WI", "53703", "America/Chicago"),
)
VENDORS = (
    ("Northwind Builders", "NWB"),
    ("Apex Concrete", "APX"),
    ("Bright Electric", "BRT"),
    ("Summit Steel", "SUM"),
    ("Keystone Plumbing", None),
)
CLASSIFICATIONS = (
    ("LAB", "Laborer"),
    ("CARP", "Carpenter"),
    ("OPER", "Equipment Operator"),
    ("ELEC", "Electrician"),
    ("FORE", "Foreman"),
    ("SUPT", "Superintendent"),
)
TIME_TYPES = (
    ("REG", "Regular Time", True),
    ("OT", "Overtime", True),
    ("DT", "Double Time", True),
    ("PTO", "Paid Time Off", False),
    ("SICK", "Sick Leave", False),
    ("HOL", "Holiday", False),
)
STANDARD_CODES = (
    ("01-100", "General Conditions"),
    ("01-500", "Temporary Facilities"),
    ("02-200", "Site Work"),
    ("03-300", "Cast-in-Place Concrete"),
    ("05-100", "Structural Steel"),
    ("06-100", "Rough Carpentry"),
    ("09-250", "Drywall"),
    ("26-050", "Electrical Rough-In"),
)
FIRST_NAMES = (
    "Alex", "Blake", "Carmen", "Dana", "Eli", "Farah", "Gabe", "Hana", "Ivan", "Jade",
    "Kai", "Lena", "Marco", "Nia", "Omar", "Paula", "Quinn", "Rosa", "Sam", "Tara",
    "Umar", "Vera", "Wes", "Xena", "Yusuf", "Zoe", "Luis", "Mei", "Noah", "Ines",
)
LAST_NAMES = (
    "Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
    "Kowalski", "Lopez", "Murphy", "Nguyen", "Okafor", "Patel", "Quintero", "Russo", "Singh",
    "Tanaka", "Usman", "Vargas", "Walsh", "Xu", "Young", "Zimmer", "Novak", "Olsen", "Park",
)
BASE_TIME = dt.datetime(2025, 1, 6, 15, 0, tzinfo=dt.UTC)


class _Builder:
    """Creates seed records in a fixed order so ids are stable."""

    def __init__(self, tx: Tx, seed: int, today: str) -> None:
        self.tx = tx
        self.rng = random.Random(seed)
        self.today = dt.date.fromisoformat(today)
        self.ticks = 0

    def stamp(self) -> str:
        self.ticks += 1
        moment = BASE_TIME + dt.timedelta(seconds=self.ticks)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def add(self, kind: str, **fields: Any) -> dict[str, Any]:
        created = self.stamp()
        record = {"created_at": created, "updated_at": created, "deleted_at": None, **fields}
        return self.tx.insert(kind, record)

    def name(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)


def build(tx: Tx, *, seed: int, job_sites: int, employees: int, today: str) -> dict[str, Any]:
    """Fill an empty store with the seed world; returns a summary of the main ids."""
    b = _Builder(tx, seed, today)
    main = b.add("company", name=MAIN_COMPANY, is_active=True, logo_url=None)
    training = b.add("company", name=TRAINING_COMPANY, is_active=True, logo_url=None)
    for company in (main, training):
        company["company_id"] = company["id"]
        tx.save("company", company)
    user = b.add("user", login=USER_LOGIN, name=USER_NAME, company_ids=[main["id"], training["id"]])
    service = b.add("user", login=SERVICE_LOGIN, name=SERVICE_NAME, company_ids=[main["id"]],
                    service_account=True)
    cid = main["id"]
    vendors = [_vendor(b, cid, name, abbr, n) for n, (name, abbr) in enumerate(VENDORS)]
    classes = [
        b.add("work_classification", company_id=cid, abbreviation=abbr, name=name, deletable=True,
              company_visible=True, created_by_id=user["id"])
        for abbr, name in CLASSIFICATIONS
    ]
    for abbr, name, is_global in TIME_TYPES:
        b.add("timecard_time_type", company_id=cid, abbreviated_time_type=abbr, time_type=name,
              **{"global": is_global}, active=True)
    code_list = b.add("standard_cost_code_list", company_id=cid, name="Master Cost Codes",
                      available_to_use_on_new_projects=True, is_erp_list=False)
    standards = [
        b.add("standard_cost_code", company_id=cid, standard_cost_code_list_id=code_list["id"],
              code=full.split("-")[1], full_code=full, name=name, parent_id=None, origin_id=None,
              origin_data=None)
        for full, name in STANDARD_CODES
    ]
    projects = _projects(b, cid, job_sites, standards, user)
    people = _people(b, cid, employees, classes, vendors, user, service)
    _crews(b, cid, projects, people["employees"], user)
    _logs(b, cid, projects, vendors, user)
    _training(b, training["id"], user)
    summary = {
        "companies": {"main": cid, "training": training["id"]},
        "users": {"user": user["id"], "service_account": service["id"]},
        "projects": {p["project_number"] + " " + p["name"]: p["id"] for p in projects},
        "standard_cost_code_list": code_list["id"],
    }
    tx.kv_set("world", {"seed": seed, "job_sites": job_sites, "employees": employees, **summary})
    return summary


def _vendor(b: _Builder, cid: int, name: str, abbr: str | None, n: int) -> dict[str, Any]:
    city, state, zip_code, _ = CITIES[n % len(CITIES)]
    return b.add(
        "vendor", company_id=cid, name=name, abbreviated_name=abbr, legal_name=f"{name} LLC",
        address=f"{100 + 10 * n} Commerce St", city=city, state_code=state, country_code="US",
        zip=zip_code, business_phone=f"+1 555 010 {1000 + n}",
        email_address=f"office@{name.lower().replace(' ', '')}.example", is_active=True,
        trade_name=None, origin_id=None, origin_code=None, origin_data=None,
    )


def _project(b: _Builder, cid: int, number: str, name: str, n: int, index: int | None) -> dict[str, Any]:
    city, state, zip_code, zone = CITIES[n % len(CITIES)]
    return b.add(
        "project", company_id=cid, name=name, display_name=f"{number} - {name}",
        project_number=number, address=f"{200 + n * 15} Main St", city=city, state_code=state,
        country_code="US", zip=zip_code, county=None, time_zone=zone, latitude=None,
        longitude=None, stage="Course of Construction", phone=None, active=True, origin_id=None,
        origin_data=None, origin_code=None, job_site_index=index,
    )


def _projects(
    b: _Builder, cid: int, job_sites: int, standards: list[dict[str, Any]], user: dict[str, Any]
) -> list[dict[str, Any]]:
    specs: list[tuple[str, str, int | None]] = []
    for i in range(1, job_sites + 1):
        if i % 7 != 0:
            name = JOB_SITE_NAMES[i - 1] if i <= len(JOB_SITE_NAMES) else f"Job Site {i}"
            specs.append((str(1000 + i), name, i))
    specs.append(("2001", "Warehouse Retrofit", None))
    specs.append(("1006", "Canyon Water Treatment - Phase 2", None))
    projects = []
    for n, (number, name, index) in enumerate(specs):
        project = _project(b, cid, number, name, n, index)
        projects.append(project)
        for position, std in enumerate(standards):
            if std["full_code"] == "26-050" and index is not None and index % 2 == 0:
                continue
            _cost_code(b, cid, project["id"], std["full_code"], std["name"], std["id"], position)
        if index is not None:
            _cost_code(b, cid, project["id"], f"99-{index:03d}", "Owner Change Work", None, 99)
    return projects


def _cost_code(
    b: _Builder, cid: int, pid: int, full: str, name: str, std_id: int | None, position: int
) -> dict[str, Any]:
    return b.add(
        "cost_code", company_id=cid, project_id=pid, code=full.split("-")[1], full_code=full,
        name=name, standard_cost_code_id=std_id, position=position, sortable_code=full,
        origin_id=None, origin_data=None, budgeted=False,
    )


def _person(b: _Builder, cid: int, first: str, last: str, **fields: Any) -> dict[str, Any]:
    email = f"{first}.{last}".lower() + "@northwind.example"
    defaults: dict[str, Any] = {
        "is_employee": False, "employee_id": None, "user_id": None, "work_classification_id": None,
        "vendor_id": None, "job_title": None, "is_active": True, "origin_id": None,
        "origin_data": None, "email_address": email, "mobile_phone": None,
    }
    defaults.update(fields)
    return b.add("person", company_id=cid, first_name=first, last_name=last, **defaults)


def _people(
    b: _Builder, cid: int, employees: int, classes: list[dict[str, Any]],
    vendors: list[dict[str, Any]], user: dict[str, Any], service: dict[str, Any],
) -> dict[str, list[dict[str, Any]]]:
    own = vendors[0]["id"]
    _person(b, cid, "Jordan", "Avery", user_id=user["id"], job_title="Project Manager",
            email_address=USER_LOGIN, vendor_id=own)
    _person(b, cid, "Procore Connect", "(Service Account)", user_id=service["id"],
            email_address=SERVICE_LOGIN, vendor_id=own)
    numbers = [10000 + i for i in range(1, employees + 1) if i % 10 != 7] + [10901, 10902]
    staff = []
    for number in numbers:
        first, last = b.name()
        wc = classes[b.rng.randrange(len(classes) - 1)]  # SUPT is kept for the office staff
        staff.append(_person(
            b, cid, first, last, is_employee=True, employee_id=str(number),
            user_id=b.tx.next_id("user"), work_classification_id=wc["id"], job_title=wc["name"],
            vendor_id=own,
        ))
    for vendor in vendors[1:3]:
        first, last = b.name()
        _person(b, cid, first, last, user_id=b.tx.next_id("user"), job_title="Project Manager",
                vendor_id=vendor["id"])
    first, last = b.name()
    _person(b, cid, first, last, job_title="Site Superintendent", is_employee=True,
            work_classification_id=classes[-1]["id"], vendor_id=own, email_address=None)
    return {"employees": staff}


def _crews(
    b: _Builder, cid: int, projects: list[dict[str, Any]], staff: list[dict[str, Any]],
    user: dict[str, Any],
) -> None:
    names = ("Concrete Crew", "Framing Crew", "Electrical Crew")
    for n, project in enumerate(projects):
        for k, name in enumerate(names[: 2 + n % 2]):
            members = [staff[(n * 5 + k * 3 + j) % len(staff)]["id"] for j in range(3)] if staff else []
            b.add("crew", company_id=cid, project_id=project["id"], name=name,
                  lead_id=members[0] if members else None, member_ids=members,
                  created_by_id=user["id"])


def _logs(
    b: _Builder, cid: int, projects: list[dict[str, Any]], vendors: list[dict[str, Any]],
    user: dict[str, Any],
) -> None:
    for project in projects[:3]:
        codes = b.tx.query("cost_code", project_id=project["id"])
        for back in (1, 2, 3):
            day = (b.today - dt.timedelta(days=back)).isoformat()
            stamp = f"{day}T23:00:00.000000Z"
            for position, vendor in enumerate(vendors[1:4]):
                workers = b.rng.randint(2, 8)
                b.tx.insert("manpower_log", {
                    "company_id": cid, "project_id": project["id"], "date": day,
                    "num_workers": workers, "num_hours": "8.0", "notes": f"{vendor['name']} on site",
                    "contact_id": vendor["id"], "user_id": None,
                    "cost_code_id": codes[position]["id"], "location_id": None, "trade_id": None,
                    "status": "approved" if back > 1 else "pending", "position": position + 1,
                    "locked": False, "created_by_id": user["id"], "created_at": stamp,
                    "updated_at": stamp, "deleted_at": None,
                })
            b.tx.insert("quantity_log", {
                "company_id": cid, "project_id": project["id"], "date": day,
                "description": "Placed and finished", "quantity": b.rng.randint(10, 60),
                "unit": "CY", "cost_code_id": codes[3]["id"], "vendor_id": vendors[1]["id"],
                "location_id": None, "position": 1, "status": "approved" if back > 1 else "pending",
                "locked": False, "created_by_id": user["id"], "created_at": stamp,
                "updated_at": stamp, "deleted_at": None,
            })


def _training(b: _Builder, cid: int, user: dict[str, Any]) -> None:
    for n, (number, name) in enumerate((("T-100", "Training Tower"), ("T-200", "Sandbox Clinic"))):
        _project(b, cid, number, name, n, None)
    b.add("vendor", company_id=cid, name="Sample Subcontractor", abbreviated_name="SMPL",
          legal_name=None, address=None, city=None, state_code=None, country_code="US", zip=None,
          business_phone=None, email_address=None, is_active=True, trade_name=None,
          origin_id=None, origin_code=None, origin_data=None)
    b.add("timecard_time_type", company_id=cid, abbreviated_time_type="ST",
          time_type="Standard Time", **{"global": False}, active=True)
    b.add("work_classification", company_id=cid, abbreviation="TRN", name="Trainee",
          deletable=True, company_visible=True, created_by_id=user["id"])
    _person(b, cid, "Jordan", "Avery", user_id=user["id"], job_title="Project Manager",
            email_address=USER_LOGIN)
    for first, last in (("Test", "Worker"), ("Sample", "Foreman")):
        _person(b, cid, first, last, is_employee=True, employee_id=f"T-{len(first)}{len(last)}",
                user_id=None, email_address=None)
