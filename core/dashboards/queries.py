"""Read-only queries behind the dashboards: figures per job-site day, job-site names, one day's entries."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, Table, func, select
from sqlmodel import Session

from core.models import CostCode, JobSite, PayID
from core.models.mapping import Entity, PayrollItem
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.modules.definition import Figures, UnitFigures
from core.modules.registry import definition
from core.publishing import entries_frame
from core.publishing.entries import range_conditions
from core.sync.links import links_by_local
from core.sync.lists import record_label, records

_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_CODES: Table = CostCode.__table__  # type: ignore[attr-defined]
_SITES: Table = JobSite.__table__  # type: ignore[attr-defined]
_PAY_IDS: Table = PayID.__table__  # type: ignore[attr-defined]
_ITEMS: Table = PayrollItem.__table__  # type: ignore[attr-defined]
_VALUES = _TABLE.c["values"]

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
    module = PublishModule(module)
    figures = definition(module).figures
    query = _figures_query(figures).where(
        *range_conditions(module, start, end, job_site_ids), _TABLE.c.status != PublishStatus.DELETED.value
    )
    columns = ["job_site_id", "work_date", *figures.columns]
    # Plain tuples: pandas probes SQLAlchemy rows one attribute at a time, which is slow.
    rows = [tuple(row) for row in session.connection().execute(query)]
    return pd.DataFrame(rows, columns=columns)


def _figures_query(figures: Figures) -> Select[Any]:
    site, day = _TABLE.c.job_site_id, _TABLE.c.work_date
    if not isinstance(figures, UnitFigures):
        count = func.count() if figures.summed is None else func.sum(_VALUES[figures.summed].as_integer())
        return select(site, day, count, func.sum(_VALUES[figures.hours].as_float())).group_by(site, day)
    unit = _VALUES["unit_of_measure"].as_string()
    return (
        select(site, day, _CODES.c.code, unit, func.sum(_VALUES["units"].as_float()))
        .outerjoin(_CODES, _CODES.c.id == _TABLE.c.cost_code_id)
        .group_by(site, day, _CODES.c.code, unit)
        .order_by(site, day, _CODES.c.code)
    )


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
