from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from core.db import bulk_insert
from tests.statements import statements_run

ROWS = 12_000  # above the size that rebuilds indexes
INDEXES = {
    "ix_probe_name": "CREATE INDEX ix_probe_name ON probe (name)",
    "ux_probe_code": "CREATE UNIQUE INDEX ux_probe_code ON probe (code)",
}


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    if engine.dialect.name != "sqlite":
        pytest.skip("the index rebuild is SQLite's bulk path")
    with engine.begin() as setup:
        setup.exec_driver_sql(
            "CREATE TABLE probe (id INTEGER PRIMARY KEY, code TEXT, name TEXT, at DATETIME, n INTEGER, note TEXT)")
        for sql in INDEXES.values():
            setup.exec_driver_sql(sql)
    with engine.connect() as opened:
        yield opened


def _frame(first: int, rows: int) -> pd.DataFrame:
    numbers = np.arange(first, first + rows)
    return pd.DataFrame({
        "code": [f"c{number}" for number in numbers],
        "name": [None if number % 3 == 0 else f"name {number % 50}" for number in numbers],
        "at": pd.Series(pd.Timestamp("2026-11-20 08:30", tz="Europe/Berlin"), index=range(rows)),
        "n": pd.array([None if number % 4 == 0 else int(number) for number in numbers], dtype="Int64"),
        "note": pd.Series(None, index=range(rows), dtype=object),
    })


def _indexes(connection: Connection) -> dict[str, str]:
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'probe'")
    return {str(name): str(sql) for name, sql in found}


def test_a_bulk_load_into_an_empty_table_keeps_its_indexes_and_writes_every_value(connection: Connection) -> None:
    with connection.begin():
        assert bulk_insert(connection, "probe", _frame(0, ROWS)) == ROWS

    assert _indexes(connection) == INDEXES
    rows = connection.exec_driver_sql("SELECT code, name, at, n FROM probe ORDER BY id").fetchall()
    assert len(rows) == ROWS
    stamp = "2026-11-20 07:30:00.000000"  # Berlin's 08:30 as UTC
    assert rows[:2] == [("c0", None, stamp, None), ("c1", "name 1", stamp, 1)]
    plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN SELECT id FROM probe WHERE name = 'name 7'").fetchall()
    assert "ix_probe_name" in str(plan)
    assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -2000  # SQLite's default, back after the load


def test_a_failed_bulk_load_rolls_back_with_the_indexes_in_place(connection: Connection) -> None:
    duplicate = pd.concat([_frame(0, ROWS), _frame(5, 1)], ignore_index=True)

    with pytest.raises(Exception, match="UNIQUE"), connection.begin():  # noqa: PT012 - the transaction is the subject
        bulk_insert(connection, "probe", duplicate)

    assert _indexes(connection) == INDEXES
    assert connection.exec_driver_sql("SELECT count(*) FROM probe").scalar() == 0


def test_a_small_load_into_a_large_table_writes_through_the_indexes(connection: Connection) -> None:
    with connection.begin():
        bulk_insert(connection, "probe", _frame(0, ROWS))
    with connection.begin():
        bulk_insert(connection, "probe", _frame(ROWS, 10))

    assert _indexes(connection) == INDEXES
    assert connection.exec_driver_sql("SELECT max(n) FROM probe").scalar() == ROWS + 9


def test_a_table_with_triggers_gets_every_part_of_a_load_and_every_column_and_fires_them_for_each_row(
    connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection.exec_driver_sql("CREATE TABLE probe_seen (code TEXT)")
    connection.exec_driver_sql(
        "CREATE TRIGGER probe_noted AFTER INSERT ON probe BEGIN INSERT INTO probe_seen VALUES (NEW.code); END")
    monkeypatch.setattr("core.db.BULK_PART", 5_000)  # three parts, each staged and passed on by itself

    assert bulk_insert(connection, "probe", _frame(0, ROWS)) == ROWS

    stored = connection.exec_driver_sql("SELECT code, name, at, n, note FROM probe ORDER BY id").all()
    expected = _frame(0, ROWS)
    assert [row[0] for row in stored] == expected["code"].tolist()
    # the same instant and no note in every row: named once by the statement that passes each part on
    assert {(row[2], row[4]) for row in stored} == {("2026-11-20 07:30:00.000000", None)}
    assert [row[1] for row in stored] == [None if pd.isna(name) else name for name in expected["name"]]
    assert [row[3] for row in stored] == [None if pd.isna(n) else int(n) for n in expected["n"]]
    assert connection.exec_driver_sql("SELECT count(*) FROM probe_seen").scalar() == ROWS
    assert connection.exec_driver_sql("SELECT count(*) FROM temp.sqlite_master").scalar() == 0  # nothing staged left


def test_a_large_load_into_a_table_with_foreign_keys_writes_every_row_and_still_checks_each_key(
    connection: Connection,
) -> None:
    """Such a load goes through a temporary table (one statement instead of one per row); SQLite checks the keys
    all the same."""
    connection.exec_driver_sql("CREATE TABLE probe_child (id INTEGER PRIMARY KEY, "
                               "probe_id INTEGER NOT NULL REFERENCES probe (id), label TEXT)")
    bulk_insert(connection, "probe", _frame(0, 10))
    parents = [int(row[0]) for row in connection.exec_driver_sql("SELECT id FROM probe ORDER BY id")]
    children = pd.DataFrame({"probe_id": [parents[row % 10] for row in range(ROWS)],
                             "label": [f"child {row}" for row in range(ROWS)]})
    connection.commit()

    assert bulk_insert(connection, "probe_child", children) == ROWS
    stored = connection.exec_driver_sql("SELECT probe_id, label FROM probe_child ORDER BY id").all()
    assert stored == list(children.itertuples(index=False, name=None))
    connection.rollback()

    orphan = children.copy()
    orphan.loc[ROWS // 2, "probe_id"] = max(parents) + 1
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        bulk_insert(connection, "probe_child", orphan)
    connection.rollback()
    assert connection.exec_driver_sql("SELECT count(*) FROM probe_child").scalar() == 0
    assert connection.exec_driver_sql("SELECT count(*) FROM temp.sqlite_master").scalar() == 0


@pytest.mark.parametrize(("stored", "loaded", "rebuilt"), [(ROWS, ROWS - 1, False), (ROWS, ROWS, True)])
def test_indexes_are_rebuilt_only_for_a_load_that_at_least_doubles_the_table(
    connection: Connection, stored: int, loaded: int, rebuilt: bool
) -> None:
    with connection.begin():
        bulk_insert(connection, "probe", _frame(0, stored))
    with statements_run(connection.engine) as seen, connection.begin():
        bulk_insert(connection, "probe", _frame(stored, loaded))

    assert any(statement.startswith("DROP INDEX") for statement in seen) is rebuilt
    assert _indexes(connection) == INDEXES
    assert connection.exec_driver_sql("SELECT count(*) FROM probe").scalar() == stored + loaded
