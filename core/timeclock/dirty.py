"""Dirty job-site days: every write to time logs or production quantities records the days it touches.

Writers call `mark_dirty` (or `mark_logs_dirty`) in the same transaction as
the change, for the old and the new site and day of what they changed. A
refresh then recomputes only those days (`core.publishing.incremental`).
`mark_record_dirty` marks the days of everything that refers to a changed record
(an employee, a pay class, a job site...): their entries' reasons name it.
`forget_refreshed` makes every module compute its next ranges whole: after a
mapping change (reasons can change anywhere) or new demo data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlmodel import Session, SQLModel

from core.models import Company, CostCode, Crew, Employee, JobSite, PayClass, PayID, ProductionQuantity, TimeLog
from core.models.publishing import DirtyDay, PublishModule, RefreshedDay

# A clock-in's work date is its job site's local date: at most one day either side of its UTC date.
_LOCAL_DAYS = (timedelta(days=-1), timedelta(0), timedelta(days=1))
_LOGS: Table = TimeLog.__table__  # type: ignore[attr-defined]
_QUANTITIES: Table = ProductionQuantity.__table__  # type: ignore[attr-defined]
# The column of time logs (and of production quantities) that refers to a record of each kind.
_LOG_REFERENCES: dict[type[SQLModel], str] = {
    JobSite: "job_site_id", Employee: "employee_id", Company: "company_id", Crew: "crew_id",
    PayClass: "pay_class_id", PayID: "pay_id_id", CostCode: "cost_code_id",
}
_QUANTITY_REFERENCES: dict[type[SQLModel], str] = {JobSite: "job_site_id", CostCode: "cost_code_id"}


def mark_dirty(session: Session, pairs: Iterable[tuple[int, date]]) -> None:
    """Record that the (job site, work date) `pairs` changed, for every module."""
    unique = {(int(site), day) for site, day in pairs}
    rows = [
        {"module": module.value, "job_site_id": site, "work_date": day}
        for site, day in sorted(unique) for module in PublishModule
    ]
    if rows:
        session.execute(insert(DirtyDay), rows)


def mark_logs_dirty(session: Session, logs: Iterable[tuple[int, datetime]]) -> None:
    """Record the days of time logs given as (job site, UTC clock-in): every local date the clock-in can have."""
    mark_dirty(session, ((site, clock_in.date() + shift) for site, clock_in in logs for shift in _LOCAL_DAYS))


def mark_record_dirty(session: Session, record: SQLModel) -> None:
    """Record the days of every time log and production quantity that refers to `record`, a job site, employee,
    company, crew, pay class, pay ID or cost code whose fields changed (entries name them in their reasons; a
    job site's time zone moves its logs' work dates, and all its days are marked). Other records mark nothing."""
    record_id = getattr(record, "id", None)
    if record_id is None:
        return
    if (column := _LOG_REFERENCES.get(type(record))) is not None:
        mark_logs_dirty(session, _referring(session, _LOGS, column, int(record_id), "clock_in"))
    if (column := _QUANTITY_REFERENCES.get(type(record))) is not None:
        mark_dirty(session, _referring(session, _QUANTITIES, column, int(record_id), "date"))


def _referring(session: Session, table: Table, column: str, record_id: int, when: str) -> set[tuple[int, Any]]:
    """(job site, `when`) of the rows of `table` whose `column` is `record_id`, deleted ones included."""
    query = select(table.c.job_site_id, table.c[when]).where(table.c[column] == record_id).distinct()
    return {(int(site), moment) for site, moment in session.connection().execute(query)}


def forget_refreshed(session: Session) -> None:
    """Make every module compute its next ranges whole, as if never refreshed."""
    session.execute(delete(RefreshedDay))
