from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from core.dashboards.calendar import (
    CELL_COLUMNS,
    STATUS_VALUES,
    Span,
    calendar_cells,
    calendar_events,
    calendar_options,
    clicked_cell,
    date_range,
    day_actions,
    event_id,
    parse_event_id,
    shifted,
    site_rows,
)
from core.models.publishing import PublishModule, PublishStatus
from core.publishing import STATUS_STYLES, PublishAction

MON, TUE = date(2026, 11, 16), date(2026, 11, 17)
SITES = {1: "1001 Riverside Medical Center", 2: "1002 Harbor Point Apartments"}


def _counts(*rows: tuple[int, date, dict[str, int], str]) -> pd.DataFrame:
    """status_counts-shaped rows: job site, date, {status: count}, summary status."""
    records = []
    for site, day, counts, summary in rows:
        record = {"job_site_id": site, "work_date": day, **dict.fromkeys(STATUS_VALUES, 0), **counts}
        record["total"] = sum(counts.values())
        record["summary_status"] = summary
        records.append(record)
    return pd.DataFrame(records)


COUNTS = _counts(
    (1, MON, {"to_do": 3, "non_publishable": 1}, "non_publishable"),
    (1, TUE, {"published": 4}, "published"),
    (2, MON, {"failed": 1, "published": 2}, "failed"),
)
MANPOWER_FIGURES = pd.DataFrame({
    "job_site_id": [1, 1, 2], "work_date": [MON, TUE, MON], "manpower": [4, 5, 3],
    "total_hours": [36.5, 40.0, 25.25],
})


@pytest.mark.parametrize(
    ("day", "span", "expected"),
    [
        (date(2026, 11, 18), Span.WEEK, (MON, date(2026, 11, 22))),
        (MON, Span.WEEK, (MON, date(2026, 11, 22))),
        (date(2026, 11, 22), Span.LIST, (MON, date(2026, 11, 22))),
        (date(2026, 11, 18), Span.MONTH, (date(2026, 11, 1), date(2026, 11, 30))),
        (date(2028, 2, 10), Span.MONTH, (date(2028, 2, 1), date(2028, 2, 29))),
    ],
    ids=["week from a wednesday", "week from its monday", "list is the week", "month", "leap february"],
)
def test_date_range_is_the_monday_to_sunday_week_or_the_month(day: date, span: Span,
                                                               expected: tuple[date, date]) -> None:
    assert date_range(day, span) == expected


@pytest.mark.parametrize(
    ("day", "span", "steps", "expected"),
    [
        (MON, Span.WEEK, 1, date(2026, 11, 23)),
        (MON, Span.LIST, -2, date(2026, 11, 2)),
        (date(2026, 1, 31), Span.MONTH, 1, date(2026, 2, 28)),
        (date(2026, 1, 15), Span.MONTH, -1, date(2025, 12, 15)),
    ],
    ids=["next week", "two weeks back", "month end kept inside february", "back over new year"],
)
def test_shifted_moves_by_weeks_or_months(day: date, span: Span, steps: int, expected: date) -> None:
    assert shifted(day, span, steps) == expected


def test_a_cell_names_the_job_site_its_figures_and_one_status_or_counts_when_they_differ() -> None:
    cells = calendar_cells(PublishModule.MANPOWER, COUNTS, MANPOWER_FIGURES, SITES)

    assert list(cells.columns) == CELL_COLUMNS
    by_key = cells.set_index(["job_site_id", "work_date"])
    assert by_key.loc[(1, MON), "job_site"] == "1001 Riverside Medical Center"
    assert by_key.loc[(1, MON), "figures"] == "4 manpower · 36.5 h"
    assert by_key.loc[(1, MON), "status_text"] == "To do 3 · Non publishable 1"
    assert by_key.loc[(1, TUE), "figures"] == "5 manpower · 40 h"
    assert by_key.loc[(1, TUE), "status_text"] == "Published"
    assert by_key.loc[(2, MON), "status_text"] == "Published 2 · Failed 1"


def test_timecard_cells_count_timecards() -> None:
    figures = pd.DataFrame({"job_site_id": [1, 1], "work_date": [MON, TUE], "timecards": [1, 8],
                            "hours": [7.5, 61.0]})

    cells = calendar_cells(PublishModule.TIMECARD, COUNTS, figures, SITES).set_index(["job_site_id", "work_date"])

    assert cells.loc[(1, MON), "figures"] == "1 timecard · 7.5 h"
    assert cells.loc[(1, TUE), "figures"] == "8 timecards · 61 h"
    assert cells.loc[(2, MON), "figures"] == ""  # no figures (all Deleted, say): the cell still shows its status


def test_quantity_cells_name_the_tracked_cost_codes_with_units_and_say_how_many_more() -> None:
    figures = pd.DataFrame({
        "job_site_id": [1] * 5 + [2], "work_date": [MON] * 5 + [MON],
        "cost_code": ["03-300", "05-100", "06-100", "09-250", "31-200", "03-300"],
        "unit_of_measure": ["CY", "TON", "LF", "SF", "CY", "CY"],
        "units": [12.0, 2.3, 57.0, 372.0, 40.0, 8.0],
    })

    cells = calendar_cells(PublishModule.QUANTITY, COUNTS, figures, SITES).set_index(["job_site_id", "work_date"])

    assert cells.loc[(1, MON), "figures"] == "03-300 12 CY · 05-100 2.3 TON · 06-100 57 LF · +2 more"
    assert cells.loc[(2, MON), "figures"] == "03-300 8 CY"


def test_the_status_filter_keeps_days_having_an_entry_in_a_chosen_status() -> None:
    cells = calendar_cells(PublishModule.MANPOWER, COUNTS, MANPOWER_FIGURES, SITES,
                           statuses=[PublishStatus.FAILED, PublishStatus.NON_PUBLISHABLE])

    assert sorted(zip(cells["job_site_id"], cells["work_date"], strict=True)) == [(1, MON), (2, MON)]


def test_events_are_all_day_cells_coloured_by_their_summary_status_with_ids_naming_the_day() -> None:
    cells = calendar_cells(PublishModule.MANPOWER, COUNTS, MANPOWER_FIGURES, SITES)

    events = {event["id"]: event for event in calendar_events(cells)}

    mixed = events[event_id(1, MON)]
    assert mixed["title"] == "1001 Riverside Medical Center\n4 manpower · 36.5 h\nTo do 3 · Non publishable 1"
    assert mixed["start"] == "2026-11-16"
    assert mixed["allDay"] is True
    assert mixed["backgroundColor"] == STATUS_STYLES[PublishStatus.NON_PUBLISHABLE].hex
    assert events[event_id(1, TUE)]["backgroundColor"] == STATUS_STYLES[PublishStatus.PUBLISHED].hex
    assert events[event_id(2, MON)]["backgroundColor"] == STATUS_STYLES[PublishStatus.FAILED].hex
    assert {parse_event_id(key) for key in events} == {(1, MON), (1, TUE), (2, MON)}


def test_no_counts_gives_no_cells_and_no_events() -> None:
    empty = COUNTS.iloc[0:0]
    cells = calendar_cells(PublishModule.MANPOWER, empty, MANPOWER_FIGURES.iloc[0:0], SITES)

    assert cells.empty
    assert calendar_events(cells) == []
    assert site_rows(cells).empty


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"callback": "eventClick", "eventClick": {"event": {"id": "12|2026-11-16", "title": "x"}}}, (12, MON)),
        ({"callback": "dateClick", "dateClick": {"date": "2026-11-16T00:00:00Z"}}, None),
        ({"callback": "eventClick", "eventClick": {"event": {"id": "not-a-cell"}}}, None),
        ({"callback": "eventClick", "eventClick": {"event": {"id": "12|someday"}}}, None),
        ({}, None),
        (None, None),
    ],
    ids=["event click", "date click", "foreign event", "bad date", "no click yet", "nothing"],
)
def test_clicked_cell_reads_only_clicks_on_cells(
    value: dict[str, Any] | None, expected: tuple[int, date] | None
) -> None:
    assert clicked_cell(value) == expected


@pytest.mark.parametrize("span", list(Span))
def test_the_calendar_only_uses_fullcalendars_mit_views(span: Span) -> None:
    options = calendar_options(span, MON)

    assert options["initialView"].startswith(("dayGrid", "list"))
    assert "resource" not in str(options).lower()
    assert "timeline" not in str(options).lower()
    assert options["initialDate"] == "2026-11-16"
    assert options["firstDay"] == 1


def test_site_rows_sum_each_job_sites_range_and_pick_the_status_needing_attention() -> None:
    cells = calendar_cells(PublishModule.MANPOWER, COUNTS, MANPOWER_FIGURES, SITES)

    rows = site_rows(cells).set_index("job_site_id")

    assert rows.loc[1, "entries"] == 8
    assert rows.loc[1, "status_label"] == "Non publishable"
    assert rows.loc[2, "status_label"] == "Failed"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["to_do", "non_publishable"], (PublishAction.PUBLISH, PublishAction.FORCE_PUBLISH)),
        (["published"], (PublishAction.FORCE_PUBLISH,)),
        (["failed", "published"], (PublishAction.REPUBLISH, PublishAction.FORCE_PUBLISH)),
        (["deleted"], (PublishAction.PUBLISH, PublishAction.REPUBLISH, PublishAction.FORCE_PUBLISH)),
        (["non_publishable"], ()),
        (["publishing"], ()),
    ],
    ids=["to do", "published", "failed", "deleted", "blocked", "being published"],
)
def test_a_day_offers_the_actions_its_statuses_allow(statuses: list[str],
                                                     expected: tuple[PublishAction, ...]) -> None:
    assert day_actions(statuses) == expected
