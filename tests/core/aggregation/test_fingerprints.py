from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.aggregation.fingerprints import canonical_json_column, joined_text_column, sha256_column
from core.publishing.modules import canonical_json, fingerprint, value_dicts


@pytest.fixture
def values() -> pd.DataFrame:
    return pd.DataFrame({
        "hours": [8.0, 7.25, 0.1, 1e-05, 12345678.5, 8.0],
        "pay_class_id": pd.array([3, None, 3, 12, None, 2**53 + 1], dtype="Int64"),
        "manpower": [1, 2, 3, 40, 5, 6],
        "unit_of_measure": ['CY', 'm²', 'say "ft"', "a\\b", None, "CY"],
    })


def test_column_texts_are_the_canonical_json_of_each_rows_dict(values: pd.DataFrame) -> None:
    columns = ["unit_of_measure", "hours", "pay_class_id", "manpower"]

    texts = canonical_json_column(values, columns)

    assert texts.tolist() == [canonical_json(row) for row in value_dicts(values, columns)]
    assert texts[1] == '{"hours":7.25,"manpower":2,"pay_class_id":null,"unit_of_measure":"m²"}'


def test_fingerprints_of_a_column_are_each_rows_fingerprint(values: pd.DataFrame) -> None:
    columns = ["hours", "pay_class_id"]

    hashes = sha256_column(canonical_json_column(values, columns))

    assert hashes.tolist() == [fingerprint(row) for row in value_dicts(values, columns)]


def test_an_empty_frame_gives_no_texts() -> None:
    assert canonical_json_column(pd.DataFrame({"hours": pd.Series([], dtype=float)}), ["hours"]).empty


def test_natural_keys_join_ids_and_dates_with_an_empty_text_for_a_missing_id() -> None:
    keys = pd.DataFrame({"job_site_id": [12, 12, 7], "work_date": [date(2026, 11, 20), date(2026, 11, 20),
                                                                   date(2026, 1, 2)],
                         "crew_id": pd.array([3, None, 3], dtype="Int64")})

    assert joined_text_column(keys, ["job_site_id", "work_date", "crew_id"], "|").tolist() == [
        "12|2026-11-20|3", "12|2026-11-20|", "7|2026-01-02|3"]


ROWS = st.lists(st.tuples(st.sampled_from([0.25, 8.0, 7.75]), st.sampled_from([None, 3, 2**53 + 1]),
                          st.sampled_from(["CY", "m²", None])), max_size=25)


@settings(max_examples=60, deadline=None)
@given(rows=ROWS)
def test_texts_written_per_distinct_combination_are_each_rows_own(rows: list[tuple[Any, ...]]) -> None:
    values = pd.DataFrame({"hours": pd.Series([row[0] for row in rows], dtype=float),
                           "pay_class_id": pd.array([row[1] for row in rows], dtype="Int64"),
                           "unit_of_measure": pd.Series([row[2] for row in rows], dtype=object)})
    columns = ["unit_of_measure", "hours", "pay_class_id"]

    assert canonical_json_column(values, columns).tolist() == [
        canonical_json(row) for row in value_dicts(values, columns)]
    assert sha256_column(canonical_json_column(values, columns)).tolist() == [
        fingerprint(row) for row in value_dicts(values, columns)]
    assert joined_text_column(values, ["pay_class_id", "unit_of_measure"], "|").tolist() == [
        f"{'' if row[1] is None else row[1]}|{'' if row[2] is None else row[2]}" for row in rows]
