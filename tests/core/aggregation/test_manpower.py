from __future__ import annotations

from datetime import date

import pandas as pd
from pandas.testing import assert_frame_equal

from core.aggregation import aggregate_manpower
from tests.core.aggregation.conftest import MakeLogs

MON, TUE = date(2026, 11, 16), date(2026, 11, 17)


def _expected(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["job_site_id", "work_date", "company_id", "crew_id", "total_hours", "manpower", "average_hours"]
    )
    return frame.astype({"job_site_id": "int64", "company_id": "int64", "crew_id": "Int64", "manpower": "int64",
                         "total_hours": "float64", "average_hours": "float64"})


def test_crews_sum_hours_count_distinct_workers_and_average(make_logs: MakeLogs) -> None:
    logs = make_logs([
        {"employee_id": 1, "crew_id": 10, "minutes": 480},
        {"employee_id": 1, "crew_id": 10, "minutes": 120, "pay_id_id": 2},  # same worker, second log: one head
        {"employee_id": 2, "crew_id": 10, "minutes": 450},
        {"employee_id": 3, "crew_id": 11, "minutes": 300},
        {"employee_id": 4, "crew_id": None, "minutes": 90},  # no crew is a group of its own
        {"employee_id": 5, "crew_id": None, "minutes": 90, "company_id": 2},
        {"employee_id": 1, "crew_id": 10, "minutes": 60, "work_date": TUE},
        {"employee_id": 2, "crew_id": 10, "minutes": 60, "job_site_id": 2},
    ])
    expected = _expected([
        (1, MON, 1, 10, 17.5, 2, 8.75),
        (1, MON, 1, 11, 5.0, 1, 5.0),
        (1, MON, 1, pd.NA, 1.5, 1, 1.5),
        (1, MON, 2, pd.NA, 1.5, 1, 1.5),
        (1, TUE, 1, 10, 1.0, 1, 1.0),
        (2, MON, 1, 10, 1.0, 1, 1.0),
    ])
    assert_frame_equal(aggregate_manpower(logs), expected)


def test_hours_are_rounded_half_up_once_after_summing_and_average_uses_the_unrounded_total(make_logs: MakeLogs) -> None:
    logs = make_logs([
        # 1.005 h + 1 h: the exact sum 2.005 rounds half up to 2.01 (float round(2.005, 2) would give 2.0);
        # the average is 2.005 / 2 = 1.0025 → 1.0, not the rounded total halved (1.005 → 1.01).
        {"employee_id": 1, "minutes": 60, "seconds": 18},
        {"employee_id": 2, "minutes": 60},
        # Three logs of 6 s (0.00167 h each, 0.0 if rounded one by one) sum to 0.005 h → 0.01.
        {"employee_id": 3, "minutes": 0, "seconds": 6, "crew_id": 7},
        {"employee_id": 3, "minutes": 0, "seconds": 6, "crew_id": 7},
        {"employee_id": 3, "minutes": 0, "seconds": 6, "crew_id": 7},
    ])
    expected = _expected([
        (1, MON, 1, 7, 0.01, 1, 0.01),
        (1, MON, 1, pd.NA, 2.01, 2, 1.0),
    ])
    assert_frame_equal(aggregate_manpower(logs), expected)


def test_no_logs_give_an_empty_frame_with_the_columns(make_logs: MakeLogs) -> None:
    result = aggregate_manpower(make_logs([{}]).iloc[0:0])
    assert list(result.columns) == ["job_site_id", "work_date", "company_id", "crew_id", "total_hours", "manpower",
                                    "average_hours"]
    assert result.empty
