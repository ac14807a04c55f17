from __future__ import annotations

import pandas as pd
import pytest
from sqlmodel import Session

from core.dashboards.queries import day_entries, day_figures, job_site_labels
from core.models.publishing import PublishModule, PublishStatus
from core.publishing import entries_frame, refresh
from tests.core.publishing.engine_world import WEEK_END, WEEK_START, Linked, delete_source

MANPOWER, TIMECARD, QUANTITY = PublishModule.MANPOWER, PublishModule.TIMECARD, PublishModule.QUANTITY
KEY = ["job_site_id", "work_date"]


def _week(linked: Linked, module: PublishModule) -> tuple[pd.DataFrame, pd.DataFrame]:
    refresh(linked.engine, module=module, start=WEEK_START, end=WEEK_END)
    with Session(linked.engine) as session:
        figures = day_figures(session, module=module, start=WEEK_START, end=WEEK_END)
        entries = entries_frame(session, module=module, start=WEEK_START, end=WEEK_END)
    return figures, entries


def _sorted(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return frame.sort_values(by, ignore_index=True)


def test_manpower_figures_are_each_days_manpower_and_total_hours(linked: Linked) -> None:
    figures, entries = _week(linked, MANPOWER)

    expected = entries.groupby(KEY, as_index=False).agg(manpower=("manpower", "sum"),
                                                        total_hours=("total_hours", "sum"))
    assert len(figures) == len(expected) > 30
    pd.testing.assert_frame_equal(_sorted(figures, KEY), _sorted(expected, KEY), check_dtype=False)


def test_timecard_figures_count_each_days_timecards_and_add_their_hours(linked: Linked) -> None:
    figures, entries = _week(linked, TIMECARD)

    expected = entries.groupby(KEY, as_index=False).agg(timecards=("id", "count"), hours=("hours", "sum"))
    pd.testing.assert_frame_equal(_sorted(figures, KEY), _sorted(expected, KEY), check_dtype=False)


def test_quantity_figures_add_units_per_cost_code_and_unit(linked: Linked) -> None:
    figures, entries = _week(linked, QUANTITY)

    by = [*KEY, "cost_code", "unit_of_measure"]
    expected = entries.groupby(by, as_index=False).agg(units=("units", "sum"))
    pd.testing.assert_frame_equal(_sorted(figures, by), _sorted(expected, by), check_dtype=False)


def test_a_deleted_entry_no_longer_counts_in_its_days_figures(linked: Linked) -> None:
    linked.publish(MANPOWER, sites=["1001"])
    gone = next(e for e in linked.entries(MANPOWER) if e.status == PublishStatus.PUBLISHED)
    before, _ = _week(linked, MANPOWER)
    delete_source(linked, gone)

    after, _ = _week(linked, MANPOWER)

    assert linked.entries(MANPOWER, id=gone.id)[0].status == PublishStatus.DELETED
    day = (after["job_site_id"] == gone.job_site_id) & (after["work_date"] == gone.work_date)
    was = (before["job_site_id"] == gone.job_site_id) & (before["work_date"] == gone.work_date)
    assert int(after.loc[day, "manpower"].iloc[0]) == int(before.loc[was, "manpower"].iloc[0]) - gone.values["manpower"]
    assert float(after.loc[day, "total_hours"].iloc[0]) == pytest.approx(
        float(before.loc[was, "total_hours"].iloc[0]) - gone.values["total_hours"])


def test_job_sites_are_labelled_by_number_and_name(linked: Linked) -> None:
    (site,) = linked.site_ids(["1001"])
    with Session(linked.engine) as session:
        labels = job_site_labels(session)
        only = job_site_labels(session, job_site_ids=[site])

    assert labels[site] == "1001 Riverside Medical Center"
    assert list(labels.values()) == sorted(labels.values())  # by number
    assert only == {site: "1001 Riverside Medical Center"}


def test_timecards_of_a_day_name_the_payroll_item_each_pay_id_is_published_as(linked: Linked) -> None:
    refresh(linked.engine, module=TIMECARD, start=WEEK_START, end=WEEK_START)
    (site,) = linked.site_ids(["1001"])
    with Session(linked.engine) as session:
        day = day_entries(session, module=TIMECARD, job_site_id=site, day=WEEK_START, company_id=linked.company_id)

    assert not day.empty
    items = dict(zip(day["pay_id"], day["payroll_item"], strict=True))
    assert items["REG"] == "REG · Regular Time"
    assert items["OT"] == "OT · Overtime"
