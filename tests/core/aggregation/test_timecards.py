from __future__ import annotations

from datetime import date

import pandas as pd
from pandas.testing import assert_frame_equal

from core.aggregation import aggregate_timecards
from tests.core.aggregation.conftest import MakeLogs

MON = date(2026, 11, 16)


def _expected(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["job_site_id", "work_date", "employee_id", "pay_id_id", "cost_code_id", "hours", "pay_class_id"]
    )
    return frame.astype({"job_site_id": "int64", "employee_id": "int64", "pay_id_id": "int64",
                         "cost_code_id": "Int64", "hours": "float64", "pay_class_id": "Int64"})


def test_one_timecard_per_employee_pay_id_and_cost_code(make_logs: MakeLogs) -> None:
    logs = make_logs([
        {"employee_id": 1, "pay_id_id": 1, "cost_code_id": 5, "minutes": 240, "pay_class_id": 3},
        {"employee_id": 1, "pay_id_id": 1, "cost_code_id": 5, "minutes": 225, "pay_class_id": 3},
        {"employee_id": 1, "pay_id_id": 2, "cost_code_id": 5, "minutes": 90, "pay_class_id": 3},
        {"employee_id": 1, "pay_id_id": 1, "cost_code_id": 6, "minutes": 60, "pay_class_id": 3},
        {"employee_id": 1, "pay_id_id": 1, "cost_code_id": None, "minutes": 20, "pay_class_id": 3},
        {"employee_id": 2, "pay_id_id": 1, "cost_code_id": 5, "minutes": 480},
    ])
    expected = _expected([
        (1, MON, 1, 1, 5, 7.75, 3),
        (1, MON, 1, 1, 6, 1.0, 3),
        (1, MON, 1, 1, pd.NA, 0.33, 3),
        (1, MON, 1, 2, 5, 1.5, 3),
        (1, MON, 2, 1, 5, 8.0, pd.NA),
    ])
    assert_frame_equal(aggregate_timecards(logs), expected)


def test_disagreeing_logs_take_the_pay_class_with_most_hours(make_logs: MakeLogs) -> None:
    logs = make_logs([
        {"pay_class_id": 3, "minutes": 120, "at": "2026-11-16T20:00Z"},
        {"pay_class_id": 4, "minutes": 300, "at": "2026-11-16T14:00Z"},
        {"pay_class_id": None, "minutes": 600, "at": "2026-11-16T22:00Z"},  # no class: does not vote
    ])
    assert_frame_equal(aggregate_timecards(logs), _expected([(1, MON, 1, 1, pd.NA, 17.0, 4)]))


def test_equal_hours_go_to_the_pay_class_clocked_in_last_then_the_lowest_id(make_logs: MakeLogs) -> None:
    later_wins = make_logs([
        {"pay_class_id": 3, "minutes": 240, "at": "2026-11-16T14:00Z"},
        {"pay_class_id": 4, "minutes": 120, "at": "2026-11-16T12:00Z"},
        {"pay_class_id": 4, "minutes": 120, "at": "2026-11-16T19:00Z"},
    ])
    assert_frame_equal(aggregate_timecards(later_wins), _expected([(1, MON, 1, 1, pd.NA, 8.0, 4)]))
    same_instant = make_logs([
        {"pay_class_id": 9, "minutes": 60, "at": "2026-11-16T14:00Z"},
        {"pay_class_id": 8, "minutes": 60, "at": "2026-11-16T14:00Z"},
    ])
    assert_frame_equal(aggregate_timecards(same_instant), _expected([(1, MON, 1, 1, pd.NA, 2.0, 8)]))


def test_hours_are_rounded_once_on_the_sum(make_logs: MakeLogs) -> None:
    logs = make_logs([{"minutes": 0, "seconds": 9}, {"minutes": 0, "seconds": 9}])  # 0.0025 h each → 0.005 → 0.01
    assert_frame_equal(aggregate_timecards(logs), _expected([(1, MON, 1, 1, pd.NA, 0.01, pd.NA)]))
