"""Read models of the time clock for pages, the CLI and exports, as DataFrames."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from core.models import Company, CostCode, Crew, Employee, JobSite, PayClass, PayID, TimeLog
from core.timeclock.rules import work_dates, zone

TIME_LOG_COLUMNS = [
    "id", "date", "employee", "employee_number", "job_site", "job_site_number", "cost_code", "pay_id",
    "pay_class", "crew", "company", "clock_in", "clock_out", "break_minutes", "hours",
]


def _day_bounds_utc(start: date, end: date) -> tuple[datetime, datetime]:
    """A UTC window wide enough to hold every clock-in whose local date is in [start, end] anywhere."""
    low = datetime.combine(start - timedelta(days=1), time.min).replace(tzinfo=zone("UTC"))
    high = datetime.combine(end + timedelta(days=2), time.min).replace(tzinfo=zone("UTC"))
    return low, high


def time_log_frame(
    session: Session, *, start: date, end: date, job_site_ids: list[int] | None = None
) -> pd.DataFrame:
    """Live (not deleted) time logs whose work date is within [start, end], newest first.

    Clock times are shown in the job site's own time zone; `hours` is worked
    time (break deducted) and empty while the employee is still clocked in.
    """
    low, high = _day_bounds_utc(start, end)
    pay_class = aliased(PayClass)
    query = (
        sa_select(
            TimeLog.id, TimeLog.clock_in, TimeLog.clock_out, TimeLog.break_minutes,
            Employee.first_name, Employee.last_name, Employee.number.label("employee_number"),
            JobSite.name.label("job_site"), JobSite.number.label("job_site_number"), JobSite.time_zone,
            CostCode.code.label("cost_code"), PayID.code.label("pay_id"), pay_class.name.label("pay_class"),
            Crew.name.label("crew"), Company.name.label("company"),
        )
        .join(Employee, Employee.id == TimeLog.employee_id)
        .join(JobSite, JobSite.id == TimeLog.job_site_id)
        .join(PayID, PayID.id == TimeLog.pay_id_id)
        .join(Company, Company.id == TimeLog.company_id)
        .outerjoin(CostCode, CostCode.id == TimeLog.cost_code_id)
        .outerjoin(pay_class, pay_class.id == TimeLog.pay_class_id)
        .outerjoin(Crew, Crew.id == TimeLog.crew_id)
        .where(TimeLog.deleted_at.is_(None), and_(TimeLog.clock_in >= low, TimeLog.clock_in < high))  # type: ignore[union-attr]
    )
    if job_site_ids:
        query = query.where(TimeLog.job_site_id.in_(job_site_ids))  # type: ignore[attr-defined]
    frame = pd.DataFrame(session.execute(query).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=TIME_LOG_COLUMNS)
    frame["clock_in"] = pd.to_datetime(frame["clock_in"], utc=True)
    frame["clock_out"] = pd.to_datetime(frame["clock_out"], utc=True)
    frame["date"] = work_dates(frame["clock_in"], frame["time_zone"])
    frame = frame[(frame["date"] >= start) & (frame["date"] <= end)].copy()
    frame["employee"] = frame["first_name"] + " " + frame["last_name"]
    worked = (frame["clock_out"] - frame["clock_in"]).dt.total_seconds() / 3600 - frame["break_minutes"] / 60
    frame["hours"] = worked.round(2)
    frame["clock_in"] = _local_text(frame["clock_in"], frame["time_zone"])
    frame["clock_out"] = _local_text(frame["clock_out"], frame["time_zone"])
    return frame.sort_values(["date", "job_site_number", "clock_in"], ascending=[False, True, True])[
        TIME_LOG_COLUMNS
    ].reset_index(drop=True)


def _local_text(instants: pd.Series, zones: pd.Series) -> pd.Series:
    """Instants as 'YYYY-MM-DD HH:MM' wall-clock text of each row's zone (empty when missing)."""
    text = pd.Series("", index=instants.index, dtype=object)
    for name in zones.unique():
        mask = (zones == name) & instants.notna()
        text[mask] = instants[mask].dt.tz_convert(zone(str(name))).dt.strftime("%Y-%m-%d %H:%M")
    return text


@dataclass(frozen=True)
class Choices:
    """Options for a time-log form: id → label, per kind."""

    employees: dict[int, str]
    job_sites: dict[int, str]
    cost_codes: dict[int, str]
    cost_code_site: dict[int, int | None]
    pay_ids: dict[int, str]
    pay_classes: dict[int, str]
    crews: dict[int, str]
    companies: dict[int, str]


def choices(session: Session) -> Choices:
    """Everything a time log can point at, labelled for people."""
    sites = {s.id: s for s in session.exec(select(JobSite).order_by(JobSite.number))}
    codes = session.exec(select(CostCode).order_by(CostCode.code)).all()
    companies = {c.id: c.name for c in session.exec(select(Company).order_by(Company.name))}
    return Choices(
        employees={e.id: f"{e.first_name} {e.last_name} ({e.number})" for e in session.exec(select(Employee).order_by(Employee.last_name, Employee.first_name))},  # type: ignore[misc]
        job_sites={i: f"{s.number} {s.name}" for i, s in sites.items()},  # type: ignore[misc]
        cost_codes={c.id: f"{c.code} {c.name}" + ("" if c.job_site_id is None else f" (site {sites[c.job_site_id].number})") for c in codes},  # type: ignore[misc]
        cost_code_site={c.id: c.job_site_id for c in codes},  # type: ignore[misc]
        pay_ids={p.id: f"{p.code} {p.name}" for p in session.exec(select(PayID).order_by(PayID.code))},  # type: ignore[misc]
        pay_classes={p.id: f"{p.number} {p.name}" for p in session.exec(select(PayClass).order_by(PayClass.number))},  # type: ignore[misc]
        crews={c.id: f"{c.name} ({companies[c.company_id]})" for c in session.exec(select(Crew).order_by(Crew.name))},  # type: ignore[misc]
        companies=companies,  # type: ignore[arg-type]
    )


def job_sites_frame(session: Session) -> pd.DataFrame:
    rows = session.exec(select(JobSite).order_by(JobSite.number)).all()
    return pd.DataFrame(
        [{"number": s.number, "name": s.name, "time_zone": s.time_zone, "address": s.address, "active": s.active} for s in rows],
        columns=["number", "name", "time_zone", "address", "active"],
    )


def employees_frame(session: Session) -> pd.DataFrame:
    query = (
        sa_select(Employee.number, Employee.first_name, Employee.last_name, Company.name.label("company"),
                  PayClass.name.label("pay_class"), Employee.active)
        .join(Company, Company.id == Employee.company_id)
        .outerjoin(PayClass, PayClass.id == Employee.pay_class_id)
        .order_by(Employee.number)
    )
    return pd.DataFrame(session.execute(query).mappings().all(),
                        columns=["number", "first_name", "last_name", "company", "pay_class", "active"])


def cost_codes_frame(session: Session) -> pd.DataFrame:
    query = (
        sa_select(CostCode.code, CostCode.name, CostCode.unit_of_measure, JobSite.number.label("job_site_number"),
                  JobSite.name.label("job_site"))
        .outerjoin(JobSite, JobSite.id == CostCode.job_site_id)
        .order_by(CostCode.code)
    )
    frame = pd.DataFrame(session.execute(query).mappings().all(),
                         columns=["code", "name", "unit_of_measure", "job_site_number", "job_site"])
    frame["scope"] = frame["job_site_number"].map(lambda n: "Standard (all job sites)" if pd.isna(n) else "Job site")
    return frame


def companies_frame(session: Session) -> pd.DataFrame:
    rows = session.exec(select(Company).order_by(Company.name)).all()
    return pd.DataFrame(
        [{"number": c.number, "name": c.name, "kind": "Own company" if c.is_own else "Subcontractor"} for c in rows],
        columns=["number", "name", "kind"],
    )


def crews_frame(session: Session) -> pd.DataFrame:
    query = sa_select(Crew.name, Company.name.label("company")).join(Company, Company.id == Crew.company_id).order_by(Company.name, Crew.name)
    return pd.DataFrame(session.execute(query).mappings().all(), columns=["name", "company"])
