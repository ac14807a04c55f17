from __future__ import annotations

import numpy as np

from core.sync.reason_rows import NONE, KeyColumn, row_reasons


def test_each_row_gets_its_columns_distinct_reasons_in_column_order() -> None:
    sites = KeyColumn(np.array([1, 2, 2, 1]), np.full(4, NONE), {(2, None): "Job site 2 is not mapped"})
    codes = KeyColumn(np.array([7, 7, NONE, 8]), np.array([50, NONE, NONE, 50]),
                      {(7, 50): "Cost code 7 is not mapped for project 50", (7, None): "Job site 2 is not mapped",
                       (8, 50): "Cost code 8 is not mapped for project 50"})

    reasons = row_reasons([sites, codes], 4)

    assert reasons == [["Cost code 7 is not mapped for project 50"], ["Job site 2 is not mapped"],
                       ["Job site 2 is not mapped"], ["Cost code 8 is not mapped for project 50"]]


def test_rows_without_reasons_get_empty_lists() -> None:
    assert row_reasons([KeyColumn(np.array([1, NONE]), np.full(2, NONE), {})], 2) == [[], []]
    assert row_reasons([], 3) == [[], [], []]
