"""Read-only queries behind the dashboards: figures per job-site day, job-site names, one day's entries."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, Table, func, select
from sqlmodel import Session

from core.aggregation.collection import collection_paused
from core.dashboards.held_cells import held_day_rows
from core.models import CostCode, JobSite, PayID
from core.models.mapping import Entity, PayrollItem
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.modules.definition import UnitFigures
from core.modules.registry import definition
from core.publishing import entries_frame
from core.publishing.dashboard import DAY_KEY, counts_by_status
from core.publishing.entries import range_conditions
from core.sync.links import links_by_local
from core.sync.lists import record_label, records

_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_CODES: Table = CostCode.__table__  # type: ignore[attr-defined]
_SITES: Table = JobSite.__table__  # type: ignore[attr-defined]
_PAY_IDS: Table = PayID.__table__  # type: ignore[attr-defined]
_ITEMS: Table = PayrollItem.__table__  # type: ignore[attr-defined]


def day_figures(
    session: Session,
    *,
    module: PublishModule,
    start: date,
    end: date,
    job_site_ids: Collection[int] | None = None,
) -> pd.DataFrame:
    """The module's figures per job site and date, summed in the database from the stored entries.

    Manpower: manpower and total_hours; timecard: timecards (how many) and
    hours; quantity: one row per cost code and unit of measure with its units.
    Deleted entries are left out: the time clock no longer has them.

    Returns:
        job_site_id, work_date, then the columns of the module definition's figures.
    """
    return day_summary(session, module=module, start=start, end=end, job_site_ids=job_site_ids)[1]


def day_summary(
    session: Session,
    *,
    module: PublishModule,
    start: date,
    end: date,
    job_site_ids: Collection[int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`status_counts` and `day_figures` of the range, as the calendar needs both.

    Both come from the entries' figure columns (`core.publishing.figures`) in the calendar's index, which
    covers them, in one read of it: a counted module's grouped by day, job site and status; a quantity's
    entries as they are (one cost code of one day each), counted and added up here. A month's reads make
    tens of thousands of rows: the cycle collector waits until they are done (`collection_paused`).
    """
    with collection_paused():
        return _day_summary(session, PublishModule(module), start, end, job_site_ids)


def _day_summary(
    session: Session, module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    figures = definition(module).figures
    conditions = range_conditions(module, start, end, job_site_ids)
    if isinstance(figures, UnitFigures):
        return _unit_summary(session, conditions)
    rows = held_day_rows(session, module=module, start=start, end=end, job_site_ids=job_site_ids)
    if rows is None:  # not held here: grouped now
        site, day, status = _TABLE.c.job_site_id, _TABLE.c.work_date, _TABLE.c.status
        query = select(site, day, status, func.count(), func.sum(_TABLE.c.figure_count),
                       func.sum(_TABLE.c.figure_amount)).where(*conditions).group_by(day, site, status)
        rows = _tuples(session, query)
    long = pd.DataFrame(rows, columns=[*DAY_KEY, "status", "n", *_SUMS])
    live = long[long["status"] != PublishStatus.DELETED.value]
    sums = live.groupby(DAY_KEY, as_index=False, sort=True)[_SUMS].sum(min_count=1)
    return counts_by_status(long[[*DAY_KEY, "status", "n"]]), sums.set_axis([*DAY_KEY, *figures.columns], axis=1)


_SUMS = ["figure_count", "figure_amount"]


def _unit_summary(session: Session, conditions: list[Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A quantity range's status counts, and its units per job site, date, cost code and unit of measure
    (Deleted entries left out, sorted by job site, date and cost code, none first).

    A quantity entry is one cost code of one day already, so its rows come as they are, straight from the
    driver, and are counted, named and added up here: grouping in SQL, once for the counts and once more
    for the units, cost more than it saved.
    """
    entry = _TABLE.c
    query = select(entry.job_site_id, entry.work_date, entry.status, entry.cost_code_id, entry.figure_unit,
                   entry.figure_amount).where(*conditions)
    columns = [*DAY_KEY, "status", "cost_code_id", "unit_of_measure", "units"]
    rows = pd.DataFrame(session.connection().execute(query).cursor.fetchall(), columns=columns, dtype=object)
    rows["work_date"] = _as_dates(rows["work_date"])
    counts = counts_by_status(rows[[*DAY_KEY, "status"]].assign(n=1))  # an entry counts once
    live = rows[rows["status"] != PublishStatus.DELETED.value]
    codes = {code_id: code for code_id, code in session.connection().execute(select(_CODES.c.id, _CODES.c.code))}
    live = live.assign(cost_code=live["cost_code_id"].map(codes), units=live["units"].astype("float64"))
    by = [*DAY_KEY, "cost_code", "unit_of_measure"]
    summed = live.groupby(by, dropna=False, sort=False)["units"].sum(min_count=1).reset_index()
    ordered = summed.sort_values([*DAY_KEY, "cost_code"], na_position="first", kind="stable", ignore_index=True)
    return counts, ordered[[*DAY_KEY, *UnitFigures().columns]]


def _as_dates(days: pd.Series) -> pd.Series:
    """Dates as the driver gave them (SQLite: ISO text) as `date`s, each distinct one parsed once."""
    codes, distinct = pd.factorize(days)
    parsed = [day if isinstance(day, date) else date.fromisoformat(str(day)) for day in distinct.tolist()]
    return pd.Series(np.array(parsed, dtype=object)[codes] if len(days) else [], index=days.index, dtype=object)


def _tuples(session: Session, query: Select[Any]) -> list[tuple[Any, ...]]:
    """Plain tuples: pandas probes SQLAlchemy rows one attribute at a time, which is slow."""
    return [tuple(row) for row in session.connection().execute(query)]


def job_site_labels(session: Session, *, job_site_ids: Collection[int] | None = None) -> dict[int, str]:
    """Job site id → "number name", for all job sites or those given."""
    query = select(_SITES.c.id, _SITES.c.number, _SITES.c.name).order_by(_SITES.c.number)
    if job_site_ids is not None:
        query = query.where(_SITES.c.id.in_(list(job_site_ids)))
    rows = session.connection().execute(query)
    return {int(site_id): f"{number} {name}" for site_id, number, name in rows}


def payroll_item_labels(session: Session, *, company_id: int) -> dict[str, str]:
    """Pay ID code → the Procore payroll item (two-way) or payroll type (one-way) it is published as."""
    links = links_by_local(session, entity=Entity.PAY_ID, company_id=company_id)
    run = session.connection().execute
    items = {procore_id: f"{code} · {name}" for procore_id, code, name in
             run(select(_ITEMS.c.procore_id, _ITEMS.c.code, _ITEMS.c.name))}
    remote = {record.procore_id: record_label(record)
              for record in records(session, company_id=company_id, entity=Entity.PAY_ID)}
    labels = {}
    for pay_id_id, code in run(select(_PAY_IDS.c.id, _PAY_IDS.c.code)):
        link = links.get(pay_id_id)
        found = None if link is None else items.get(link.procore_id) or remote.get(link.procore_id)
        if found:
            labels[str(code)] = found
    return labels


def day_entries(
    session: Session, *, module: PublishModule, job_site_id: int, day: date, company_id: int | None
) -> pd.DataFrame:
    """The entries of one job-site day as `entries_frame` gives them; timecards also get their payroll item."""
    frame = entries_frame(session, module=module, start=day, end=day, job_site_ids=[job_site_id])
    view = definition(module).view
    if view is not None and "payroll_item" in view.columns:
        labels = payroll_item_labels(session, company_id=company_id) if company_id is not None else {}
        frame["payroll_item"] = frame["pay_id"].map(labels)
    return frame
