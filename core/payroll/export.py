"""The payroll export: a pay week's hours per job site, employee, date, pay ID and cost code, in people's words."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import pandas as pd
from sqlmodel import Session, select

from core.models import CostCode, Employee, JobSite, PayClass, PayID
from core.payroll.board import TIMESHEET, week_end
from core.publishing.modules import computed_entries


def export_week(session: Session, *, week_start: date, job_site_ids: Collection[int] | None = None) -> pd.DataFrame:
    """The payroll export of a week: per job site, employee, date, pay ID and cost code, the hours."""
    end = week_end(week_start)
    frame = computed_entries(session, module=TIMESHEET, start=week_start, end=end, job_site_ids=job_site_ids)
    columns = ["job_site", "job_site_name", "employee_number", "employee", "work_date", "pay_id", "cost_code",
               "pay_class", "hours"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    names = _names(session)
    result = pd.DataFrame({
        "job_site": frame["job_site_id"].map(lambda i: names["site_number"].get(i)),
        "job_site_name": frame["job_site_id"].map(lambda i: names["site_name"].get(i)),
        "employee_number": frame["employee_id"].map(lambda i: names["employee_number"].get(i)),
        "employee": frame["employee_id"].map(lambda i: names["employee"].get(i)),
        "work_date": frame["work_date"],
        "pay_id": frame["pay_id_id"].map(lambda i: names["pay_id"].get(i)),
        "cost_code": frame["cost_code_id"].map(lambda i: names["cost_code"].get(i) if pd.notna(i) else None),
        "pay_class": frame["pay_class_id"].map(lambda i: names["pay_class"].get(i) if pd.notna(i) else None),
        "hours": frame["hours"],
    })
    return result.sort_values(["job_site", "employee_number", "work_date", "pay_id"]).reset_index(drop=True)


def _names(session: Session) -> dict[str, dict[int, str]]:
    """What people call each id the export shows (one query per table)."""
    sites, employees = session.exec(select(JobSite)).all(), session.exec(select(Employee)).all()
    return {
        "site_number": {s.id: s.number for s in sites if s.id is not None},
        "site_name": {s.id: s.name for s in sites if s.id is not None},
        "employee_number": {e.id: e.number for e in employees if e.id is not None},
        "employee": {e.id: f"{e.first_name} {e.last_name}" for e in employees if e.id is not None},
        "pay_id": {p.id: p.code for p in session.exec(select(PayID)).all() if p.id is not None},
        "cost_code": {c.id: c.code for c in session.exec(select(CostCode)).all() if c.id is not None},
        "pay_class": {c.id: c.name for c in session.exec(select(PayClass)).all() if c.id is not None},
    }
