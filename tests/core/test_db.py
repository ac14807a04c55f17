from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core.db import _is_missing


@pytest.mark.parametrize(
    ("value", "missing"),
    [
        (None, True), (math.nan, True), (pd.NaT, True), (pd.NA, True), (np.float64("nan"), True),
        (0, False), (np.int64(0), False), ("", False), ({}, False), ([], False), ('{"a": null}', False),
    ],
    ids=repr,
)
def test_copy_path_writes_null_exactly_for_missing_values(value: object, missing: bool) -> None:
    """Regression test: pd.NA reached psycopg's COPY as a value and failed on PostgreSQL."""
    assert _is_missing(value) is missing
