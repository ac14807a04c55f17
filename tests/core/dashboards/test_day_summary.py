"""The calendar's counts and figures (`day_summary`, one read of the calendar's index) against the entries
themselves: each entry's status counted, its values added up in Python."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
import pytest
from sqlmodel import Session, select

from core.dashboards.queries import day_summary
from core.db import session_scope
from core.models import ProductionQuantity
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.publishing import entries_frame, refresh, status_counts
from core.publishing.status import summary_status
from core.timeclock.quantities import delete_quantity
from tests.core.publishing.engine_world import WEEK_END, WEEK_START, Linked, delete_source, known

MANPOWER, TIMECARD, QUANTITY = PublishModule.MANPOWER, PublishModule.TIMECARD, PublishModule.QUANTITY


def _mixed_week(linked: Linked, module: PublishModule) -> None:
    """The week with To do, Published and Deleted entries (and Non publishable ones where mapping is missing)."""
    refresh(linked.engine, module=module, start=WEEK_START, end=WEEK_END)
    linked.publish(module, sites=["1001"])
    published = [e for e in linked.entries(module) if e.status == PublishStatus.PUBLISHED]
    if module is QUANTITY:
        _delete_quantities(linked, published[0])
    else:
        delete_source(linked, published[0])
    refresh(linked.engine, module=module, start=WEEK_START, end=WEEK_END)


def _delete_quantities(linked: Linked, entry: PublishEntry) -> None:
    """Delete the production quantities of `entry` on Production quantities."""
    with session_scope(linked.engine) as session:
        rows = session.exec(select(ProductionQuantity).where(
            ProductionQuantity.job_site_id == entry.job_site_id, ProductionQuantity.date == entry.work_date,
            ProductionQuantity.cost_code_id == entry.cost_code_id)).all()
        for row in rows:
            delete_quantity(session, quantity_id=known(row.id), actor=linked.admin)


def _by_hand(module: PublishModule, entries: pd.DataFrame) -> tuple[dict[Any, Any], dict[Any, tuple[Any, ...]]]:
    """Per job-site day: (entries, status shown) and the figures, Deleted entries left out of the figures."""
    statuses: dict[Any, list[str]] = defaultdict(list)
    figures: dict[Any, list[float]] = defaultdict(lambda: [0, 0.0])
    for row in entries.to_dict("records"):
        day = (row["job_site_id"], row["work_date"])
        statuses[day].append(row["status"])
        if row["status"] == PublishStatus.DELETED.value:
            continue
        if module is MANPOWER:
            figures[day][0] += row["manpower"]
            figures[day][1] += row["total_hours"]
        elif module is TIMECARD:
            figures[day][0] += 1
            figures[day][1] += row["hours"]
        else:
            figures[(*day, row["cost_code"], row["unit_of_measure"])][1] += row["units"]
    counts = {day: (len(found), summary_status(found)) for day, found in statuses.items()}
    return counts, {key: (count, round(amount, 6)) for key, (count, amount) in figures.items()}


@pytest.mark.parametrize("module", [MANPOWER, TIMECARD, QUANTITY])
def test_the_calendar_counts_and_figures_are_the_entries_own(linked: Linked, module: PublishModule) -> None:
    _mixed_week(linked, module)

    with Session(linked.engine) as session:
        counts, figures = day_summary(session, module=module, start=WEEK_START, end=WEEK_END)
        entries = entries_frame(session, module=module, start=WEEK_START, end=WEEK_END)
        alone = status_counts(session, module=module, start=WEEK_START, end=WEEK_END)

    expected_counts, expected_figures = _by_hand(module, entries)
    assert {PublishStatus.DELETED, PublishStatus.PUBLISHED, PublishStatus.TO_DO} <= set(entries["status"])
    assert {(site, day): (total, shown) for site, day, total, shown in
            zip(counts["job_site_id"], counts["work_date"], counts["total"], counts["summary_status"], strict=True)
            } == expected_counts
    pd.testing.assert_frame_equal(counts, alone)
    keys = ["job_site_id", "work_date"] if module is not QUANTITY else [
        "job_site_id", "work_date", "cost_code", "unit_of_measure"]
    amounts = figures.columns[-1]
    got = {tuple(row[name] for name in keys): (0 if module is QUANTITY else int(row[figures.columns[2]]),
                                              round(float(row[amounts]), 6))
           for row in figures.to_dict("records")}
    assert got == expected_figures


def test_a_quantity_calendar_lists_units_by_job_site_date_and_cost_code(linked: Linked) -> None:
    _mixed_week(linked, QUANTITY)

    with Session(linked.engine) as session:
        _, figures = day_summary(session, module=QUANTITY, start=WEEK_START, end=WEEK_END)

    order = list(zip(figures["job_site_id"], figures["work_date"], figures["cost_code"].fillna(""), strict=True))
    assert len({(site, day) for site, day, _ in order}) > 5
    assert len(order) > len({(site, day) for site, day, _ in order})  # days with several cost codes
    assert order == sorted(order)  # no cost code first, as a cell lists them
