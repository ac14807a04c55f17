"""What the reconciliation calendar and day panel say: both sides' figures, a word beside the colour, names."""

from __future__ import annotations

import datetime as dt

import pytest

from core.dashboards.reconciliation import (
    calendar_events,
    cell_figures,
    detail_rows,
    fields_text,
    figure_rows,
    summary,
)
from core.reconcile import Day, Detail, Finding

MONDAY = dt.date(2026, 11, 16)
NAMES = {("vendor", 81): "Apex Concrete", ("person", 7): "Ann Lee", ("cost code", 31): "03-300"}


def _name(kind: str, procore_id: object) -> str:
    return NAMES.get((kind, procore_id), f"Procore {kind} {procore_id}")  # type: ignore[arg-type]


def _day(ours: dict[str, float], theirs: dict[str, float], details: list[Detail] | None = None) -> Day:
    return Day(1, MONDAY, ours, theirs, details or [])


@pytest.mark.parametrize(("figures", "text"), [
    ({}, "nothing"),
    ({"hours": 96.0, "workers": 12.0}, "workers 12, hours 96"),
    ({"hours": 8.0, "hours of Ann Lee": 8.0}, "hours 8"),  # the per-person hours stay in the details
    ({"03-300 CY": 4.0, "05-200 TON": 2.5, "09-250 SF": 372.0, "26-050 EA": 3.0},
     "03-300 CY 4, 05-200 TON 2.5, 09-250 SF 372, +1 more"),
], ids=["empty", "manpower", "timecard", "quantities"])
def test_a_cell_shows_the_totals_first(figures: dict[str, float], text: str) -> None:
    assert cell_figures(figures) == text


def test_a_drifting_day_is_red_and_says_drifts_a_matching_one_green_and_says_matches() -> None:
    drifting = _day({"workers": 3.0}, {"workers": 8.0})
    matching = Day(2, MONDAY, {"workers": 3.0}, {"workers": 3.0}, [])

    events = calendar_events([drifting, matching], {1: "1001 Main St", 2: "1002 Harbor"})

    assert [e["title"] for e in events] == ["1001 Main St\nTime clock: workers 3\nProcore: workers 8\nDrifts",
                                            "1002 Harbor\nTime clock: workers 3\nProcore: workers 3\nMatches"]
    assert [e["backgroundColor"] for e in events] == ["#d32f2f", "#21c354"]
    assert [e["id"] for e in events] == ["1|2026-11-16", "2|2026-11-16"]
    assert summary([drifting, matching]) == "1 of 2 job-site days drift."
    assert [row["figure"] for row in figure_rows(_day({"hours": 9.0, "workers": 1.0}, {}))] == ["workers", "hours"]


def test_the_details_name_vendors_people_and_codes_instead_of_ids() -> None:
    foreign = {"date": "2026-11-16", "party_id": 7, "hours": "3", "timecard_time_type_id": 5, "cost_code_id": 31}
    changed = Detail(Finding.CHANGED, entry_id=4, remote_id=900, ours={"contact_id": 81, "num_workers": 3},
                     theirs={"contact_id": 82, "num_workers": 3}, differs={"contact_id": (81, 82)})
    day = _day({"hours": 8.0}, {"hours": 11.0}, [Detail(Finding.FOREIGN, remote_id=901, theirs=foreign), changed])

    rows = detail_rows(day, "timecard entry", _name)

    assert [(r.finding, r.record, r.differences) for r in rows] == [
        ("Timecard entry from another source", "Employee Ann Lee, Hours 3, Time type Procore time type 5, "
         "Cost code 03-300", ""),
        ("Timecard entry fields differ", "Vendor Apex Concrete, Workers 3",
         "Vendor: Apex Concrete here, Procore vendor 82 in Procore"),
    ]
    assert figure_rows(day) == [{"figure": "hours", "time_clock": 8.0, "procore": 11.0, "difference": 3.0}]
    assert fields_text({"notes": None, "date": "2026-11-16"}, _name) == "no fields"
