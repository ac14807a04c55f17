from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sqlmodel import Session, select

from core.db import _is_missing, has_uncommitted_writes
from core.models import Company


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


def test_a_connection_holds_uncommitted_writes_from_a_write_until_commit_or_rollback(session: Session) -> None:
    session.exec(select(Company)).all()
    assert not has_uncommitted_writes(session.connection())

    session.add(Company(name="Northwind Builders", number="NWB", is_own=True))
    session.flush()
    assert has_uncommitted_writes(session.connection())
    session.commit()
    assert not has_uncommitted_writes(session.connection())

    session.add(Company(name="Southwind Builders", number="SWB", is_own=False))
    session.flush()
    session.rollback()
    assert not has_uncommitted_writes(session.connection())
