"""`bulk_insert` on PostgreSQL (COPY): every value arrives as it was, every missing one as NULL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Connection, Engine

from core.db import BULK_PART, bulk_insert


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    if engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's bulk path")
    with engine.begin() as setup:
        setup.exec_driver_sql(
            "CREATE TABLE copy_probe (id SERIAL PRIMARY KEY, code TEXT, n BIGINT, x DOUBLE PRECISION, "
            "at TIMESTAMPTZ, day DATE, reasons TEXT, ok BOOLEAN, note TEXT)")
    with engine.connect() as opened:
        yield opened


def test_copy_writes_every_value_and_every_missing_one_as_null(connection: Connection) -> None:
    rows = BULK_PART + 3  # more than one part
    numbers = np.arange(rows)
    frame = pd.DataFrame({
        "code": [None if number % 5 == 0 else f"c\t{number}\\n" for number in numbers],  # COPY's own characters
        "n": pd.array([None if number % 4 == 0 else int(number) for number in numbers], dtype="Int64"),
        "x": np.where(numbers % 3 == 0, np.nan, numbers / 4),
        "at": pd.Series(pd.Timestamp("2026-11-20 08:30", tz="Europe/Berlin"), index=range(rows)).where(
            numbers % 2 == 1),
        "day": [date(2026, 11, 20)] * rows,
        "reasons": ['["Job site 1001 is not mapped"]' if number % 2 else "[]" for number in numbers],
        "ok": numbers % 2 == 0,
        "note": [("", 'a "quoted", two\nlines', None)[number % 3] for number in numbers],
    })

    with connection.begin():
        assert bulk_insert(connection, "copy_probe", frame) == rows

    found = connection.exec_driver_sql(
        "SELECT code, n, x, at, day, reasons, ok, note FROM copy_probe ORDER BY id").fetchall()
    assert len(found) == rows
    assert found[0] == (None, None, None, None, date(2026, 11, 20), "[]", True, "")  # an empty text is not NULL
    assert found[1] == ("c\t1\\n", 1, 0.25, datetime(2026, 11, 20, 7, 30, tzinfo=UTC), date(2026, 11, 20),
                        '["Job site 1001 is not mapped"]', False, 'a "quoted", two\nlines')
    assert found[2][-1] is None
    assert found[-1][1] == rows - 1
