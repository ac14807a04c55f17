"""Read models of the time clock for pages, the CLI and exports, as DataFrames."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Select
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from core.models import Company, CostCode, Crew, Employee, JobSite, PayClass, PayID, TimeLog
from core.models.ids import saved_id
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
    query: Select[*tuple[Any, ...]] = (
        sa_select(
            col(TimeLog.id), col(TimeLog.clock_in), col(TimeLog.clock_out), col(TimeLog.break_minutes),
            col(Employee.first_name), col(Employee.last_name), col(Employee.number).label("employee_number"),
            col(JobSite.name).label("job_site"), col(JobSite.number).label("job_site_number"),
            col(JobSite.time_zone), col(CostCode.code).label("cost_code"), col(PayID.code).label("pay_id"),
            col(pay_class.name).label("pay_class"), col(Crew.name).label("crew"), col(Company.name).label("company"),
        )
        .join(Employee, col(Employee.id) == col(TimeLog.employee_id))
        .join(JobSite, col(JobSite.id) == col(TimeLog.job_site_id))
        .join(PayID, col(PayID.id) == col(TimeLog.pay_id_id))
        .join(Company, col(Company.id) == col(TimeLog.company_id))
        .outerjoin(CostCode, col(CostCode.id) == col(TimeLog.cost_code_id))
        .outerjoin(pay_class, col(pay_class.id) == col(TimeLog.pay_class_id))
        .outerjoin(Crew, col(Crew.id) == col(TimeLog.crew_id))
        .where(col(TimeLog.deleted_at).is_(None), col(TimeLog.clock_in) >= low, col(TimeLog.clock_in) < high)
    )
    if job_site_ids:
        query = query.where(col(TimeLog.job_site_id).in_(job_site_ids))
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
    sites = {saved_id(s): s for s in session.exec(select(JobSite).order_by(col(JobSite.number)))}
    codes = session.exec(select(CostCode).order_by(col(CostCode.code))).all()
    companies = {saved_id(c): c.name for c in session.exec(select(Company).order_by(col(Company.name)))}
    employees = session.exec(select(Employee).order_by(col(Employee.last_name), col(Employee.first_name)))
    return Choices(
        employees={saved_id(e): f"{e.first_name} {e.last_name} ({e.number})" for e in employees},
        job_sites={i: f"{s.number} {s.name}" for i, s in sites.items()},
        cost_codes={saved_id(c): f"{c.code} {c.name}" + _site_suffix(c, sites) for c in codes},
        cost_code_site={saved_id(c): c.job_site_id for c in codes},
        pay_ids={saved_id(p): f"{p.code} {p.name}" for p in session.exec(select(PayID).order_by(col(PayID.code)))},
        pay_classes={
            saved_id(p): f"{p.number} {p.name}" for p in session.exec(select(PayClass).order_by(col(PayClass.number)))
        },
        crews={
            saved_id(c): f"{c.name} ({companies[c.company_id]})"
            for c in session.exec(select(Crew).order_by(col(Crew.name)))
        },
        companies=companies,
    )


def _site_suffix(code: CostCode, sites: dict[int, JobSite]) -> str:
    return "" if code.job_site_id is None else f" (site {sites[code.job_site_id].number})"


def job_sites_frame(session: Session) -> pd.DataFrame:
    rows = session.exec(select(JobSite).order_by(JobSite.number)).all()
    return pd.DataFrame(
        [{"number": s.number, "name": s.name, "time_zone": s.time_zone, "address": s.address, "active": s.active}
         for s in rows],
        columns=["number", "name", "time_zone", "address", "active"],
    )


def employees_frame(session: Session) -> pd.DataFrame:
    query: Select[*tuple[Any, ...]] = (
        sa_select(col(Employee.number), col(Employee.first_name), col(Employee.last_name),
                  col(Company.name).label("company"), col(PayClass.name).label("pay_class"), col(Employee.active))
        .join(Company, col(Company.id) == col(Employee.company_id))
        .outerjoin(PayClass, col(PayClass.id) == col(Employee.pay_class_id))
        .order_by(col(Employee.number))
    )
    return pd.DataFrame(session.execute(query).mappings().all(),
                        columns=["number", "first_name", "last_name", "company", "pay_class", "active"])


def cost_codes_frame(session: Session) -> pd.DataFrame:
    query: Select[*tuple[Any, ...]] = (
        sa_select(col(CostCode.code), col(CostCode.name), col(CostCode.unit_of_measure),
                  col(JobSite.number).label("job_site_number"), col(JobSite.name).label("job_site"))
        .outerjoin(JobSite, col(JobSite.id) == col(CostCode.job_site_id))
        .order_by(col(CostCode.code))
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
    query: Select[*tuple[Any, ...]] = (
        sa_select(col(Crew.name), col(Company.name).label("company"))
        .join(Company, col(Company.id) == col(Crew.company_id))
        .order_by(col(Company.name), col(Crew.name))
    )
    return pd.DataFrame(session.execute(query).mappings().all(), columns=["name", "company"])
