from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
from pandas.testing import assert_frame_equal

from core.aggregation import aggregate_quantities

MON, TUE = date(2026, 11, 16), date(2026, 11, 17)
SOURCE = ["job_site_id", "work_date", "cost_code_id", "unit_of_measure", "units"]


def _frame(rows: list[tuple[object, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns).astype({"job_site_id": "int64", "cost_code_id": "int64"})


def test_quantities_sum_per_job_site_date_and_cost_code_keeping_decimals() -> None:
    source = _frame([
        (1, MON, 5, "CY", Decimal("0.1")),
        (1, MON, 5, "CY", Decimal("0.2")),
        (1, MON, 5, "CY", Decimal("12.2")),
        (1, MON, 6, "TON", Decimal("40")),
        (1, TUE, 5, "CY", Decimal("3.125")),
        (2, MON, 5, " CY ", Decimal("7")),
    ], SOURCE)
    expected = _frame([
        (1, MON, 5, "CY", 12.5),  # 0.1 + 0.2 + 12.2 exactly, not 12.499999999999998
        (1, MON, 6, "TON", 40.0),
        (1, TUE, 5, "CY", 3.125),
        (2, MON, 5, "CY", 7.0),
    ], ["job_site_id", "work_date", "cost_code_id", "unit_of_measure", "units"])
    assert_frame_equal(aggregate_quantities(source), expected)


def test_rows_of_one_cost_code_in_different_units_name_every_unit() -> None:
    source = _frame([(1, MON, 5, "TON", 2.0), (1, MON, 5, "CY", 3.0), (1, MON, 5, "CY", 1.0)], SOURCE)
    expected = _frame([(1, MON, 5, "CY, TON", 6.0)], SOURCE)
    assert_frame_equal(aggregate_quantities(source), expected)
