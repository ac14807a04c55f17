"""`group_numbers` numbers rows as pandas' own sorted groupby does, ids with or without missing values."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from core.aggregation.grouping import group_rows, groups_of

IDS = st.one_of(st.none(), st.integers(min_value=-3, max_value=40), st.sampled_from([2**40, 2**62]))


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(min_value=1, max_value=40))
    column = st.lists(IDS, min_size=rows, max_size=rows)
    days = st.lists(st.sampled_from([date(2026, 11, 20), date(2026, 11, 2)]), min_size=rows, max_size=rows)
    return pd.DataFrame({
        "site": np.array(draw(st.lists(st.integers(0, 5), min_size=rows, max_size=rows)), dtype=np.int64),
        "day": pd.Series(draw(days), dtype=object),
        "code": pd.array(draw(column), dtype="Int64"),
        "crew": pd.array(draw(column), dtype="Int64"),
    })


@settings(max_examples=300, deadline=None)
@given(frames())
def test_groups_come_in_the_order_and_with_the_rows_of_a_sorted_groupby(frame: pd.DataFrame) -> None:
    key = ["site", "day", "code", "crew"]
    expected = frame.groupby(key, dropna=False, sort=True).ngroup().to_numpy()

    assert groups_of(group_rows(frame, key).of_row).of_row.tolist() == expected.tolist()
