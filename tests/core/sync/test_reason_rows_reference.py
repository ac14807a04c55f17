"""`row_reasons` and `distinct_keys` on whole columns give what a plain loop over the rows gives."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.sync.reason_rows import NONE, Key, KeyColumn, distinct_keys, row_reasons

IDS = st.sampled_from([NONE, 1, 2, 3, 7, 2**40])
PROJECTS = st.sampled_from([NONE, 50, 51, 9_000_000_000])
TEXTS = st.sampled_from(["Job site 2 is not mapped", "Cost code 7 is not mapped", "Employee 3 is not mapped",
                         "Pay ID 1 is not mapped"])


@st.composite
def key_columns(draw: st.DrawFn, rows: int) -> KeyColumn:
    pairs = draw(st.lists(st.tuples(IDS, PROJECTS), min_size=rows, max_size=rows))
    ids = np.array([i for i, _ in pairs], dtype=np.int64)
    projects = np.array([p for _, p in pairs], dtype=np.int64)
    wanted = draw(st.dictionaries(st.tuples(IDS.filter(lambda i: i != NONE), PROJECTS), TEXTS, max_size=8))
    reasons = {(i, None if p == NONE else p): text for (i, p), text in wanted.items()}
    return KeyColumn(ids, projects, reasons)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[KeyColumn], int]:
    rows = draw(st.integers(min_value=0, max_value=30))
    return draw(st.lists(key_columns(rows), max_size=6)), rows


def _per_row(columns: list[KeyColumn], rows: int) -> list[list[str]]:
    """The reference: each row's reasons looked up one by one, duplicates dropped, in column order."""
    found: list[list[str]] = []
    for row in range(rows):
        mine: list[str] = []
        for column in columns:
            key = (int(column.ids[row]), None if column.projects[row] == NONE else int(column.projects[row]))
            text = column.reasons.get(key) if key[0] != NONE else None
            if text is not None and text not in mine:
                mine.append(text)
        found.append(mine)
    return found


@settings(max_examples=300, deadline=None)
@given(tables())
def test_each_row_gets_what_a_loop_over_the_rows_gives(table: tuple[list[KeyColumn], int]) -> None:
    columns, rows = table
    assert row_reasons(columns, rows) == _per_row(columns, rows)


@settings(max_examples=200, deadline=None)
@given(key_columns(25))
def test_distinct_keys_are_the_pairs_of_the_rows_with_an_id(column: KeyColumn) -> None:
    expected: set[Key] = {(int(i), None if p == NONE else int(p))
                          for i, p in zip(column.ids, column.projects, strict=True) if i != NONE}
    assert distinct_keys(column.ids, column.projects) == expected


def test_rows_carrying_the_same_reasons_share_one_list_that_cannot_be_changed() -> None:
    sites = KeyColumn(np.array([2, 2, 1]), np.full(3, NONE), {(2, None): "Job site 2 is not mapped"})
    reasons = row_reasons([sites], 3)
    assert reasons[0] is reasons[1]
    assert reasons[2] == []
    for change in (lambda: reasons[0].append("x"), lambda: reasons[0].extend(["x"]), lambda: reasons[0].clear(),
                   lambda: reasons[0].__setitem__(0, "x"), lambda: reasons[2].__iadd__(["x"])):
        with pytest.raises(TypeError, match="shared"):
            change()
    assert reasons == [["Job site 2 is not mapped"], ["Job site 2 is not mapped"], []]
    assert [*reasons[0], "more"] == ["Job site 2 is not mapped", "more"]  # a copy may be changed
    for copied in (pickle.loads(pickle.dumps(reasons[0])), copy.deepcopy(reasons[0]), copy.copy(reasons[0])):
        copied.append("more")  # a cached or copied frame holds plain lists
        assert copied == ["Job site 2 is not mapped", "more"]
