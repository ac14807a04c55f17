from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from core.db import ARROW_MIN_ROWS, bulk_insert, session_scope
from tests.statements import statements_run

ROWS = 12_000  # above the size that rebuilds indexes
INDEXES = {
    "ix_probe_name": "CREATE INDEX ix_probe_name ON probe (name)",
    "ux_probe_code": "CREATE UNIQUE INDEX ux_probe_code ON probe (code)",
}


@pytest.fixture(params=["arrow", "rows"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """How a large load reaches SQLite: from Arrow columns through a scratch file, or bound row by row."""
    if request.param == "rows":
        monkeypatch.setattr("core.db.ARROW_MIN_ROWS", 10**12)
    return str(request.param)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The directory a load's scratch files go to (the temporary directory), empty at first."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


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


def test_a_bulk_load_into_an_empty_table_keeps_its_indexes_and_writes_every_value(
    connection: Connection, way: str
) -> None:
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


def test_a_failed_bulk_load_rolls_back_with_the_indexes_in_place(
    connection: Connection, way: str, scratch: Path
) -> None:
    duplicate = pd.concat([_frame(0, ROWS), _frame(5, 1)], ignore_index=True)

    with pytest.raises(Exception, match="UNIQUE"), connection.begin():  # noqa: PT012 - the transaction is the subject
        bulk_insert(connection, "probe", duplicate)

    assert _indexes(connection) == INDEXES
    assert connection.exec_driver_sql("SELECT count(*) FROM probe").scalar() == 0
    connection.close()  # back to the pool: the scratch file of the failed load goes too
    assert list(scratch.iterdir()) == []


def test_a_small_load_into_a_large_table_writes_through_the_indexes(connection: Connection) -> None:
    with connection.begin():
        bulk_insert(connection, "probe", _frame(0, ROWS))
    with connection.begin():
        bulk_insert(connection, "probe", _frame(ROWS, 10))

    assert _indexes(connection) == INDEXES
    assert connection.exec_driver_sql("SELECT max(n) FROM probe").scalar() == ROWS + 9


def test_a_table_with_triggers_gets_every_part_of_a_load_and_every_column_and_fires_them_for_each_row(
    connection: Connection, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    connection.exec_driver_sql("CREATE TABLE probe_seen (code TEXT)")
    connection.exec_driver_sql(
        "CREATE TRIGGER probe_noted AFTER INSERT ON probe BEGIN INSERT INTO probe_seen VALUES (NEW.code); END")
    monkeypatch.setattr("core.db.BULK_PART", 5_000)  # three parts, each staged (or written to the scratch file)

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
    connection: Connection, way: str
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


def _every_kind(rows: int) -> pd.DataFrame:
    """A column of each kind a load carries: whole numbers with and without gaps, decimals with gaps, yes/no, text
    with gaps, days, instants with gaps, and a column holding one value throughout."""
    numbers = np.arange(rows)
    return pd.DataFrame({
        "whole": numbers.astype(np.int64),
        "gappy": pd.array([None if number % 5 == 0 else int(number) * 1_000_003 for number in numbers], "Int64"),
        "decimal": [float("nan") if number % 7 == 0 else number / 8 for number in numbers],
        "flag": [bool(number % 2) for number in numbers],
        "label": [None if number % 3 == 0 else f"é {number}" for number in numbers],
        "day": [None if number % 11 == 0 else date(2026, 1 + number % 12, 1 + number % 28) for number in numbers],
        "at": pd.Series(pd.to_datetime(numbers * 61_000_123, unit="us", utc=True)).where(numbers % 13 != 0),
        "same": "module",
    })


def _stored(connection: Connection, table: str) -> list[tuple[object, ...]]:
    columns = ", ".join(f'typeof("{name}"), "{name}"' for name in _every_kind(1).columns)
    return [tuple(row) for row in connection.exec_driver_sql(f"SELECT {columns} FROM {table} ORDER BY rowid")]  # noqa: S608


def test_a_load_written_from_arrow_columns_stores_every_value_as_binding_each_row_does(
    connection: Connection, monkeypatch: pytest.MonkeyPatch, scratch: Path
) -> None:
    definition = "(whole INTEGER, gappy INTEGER, decimal FLOAT, flag BOOLEAN, label TEXT, day DATE, at DATETIME, same)"
    for table in ("by_rows", "by_arrow"):
        connection.exec_driver_sql(f"CREATE TABLE {table} {definition}")
    connection.commit()
    frame = _every_kind(ROWS)

    with statements_run(connection.engine) as seen, connection.begin():
        monkeypatch.setattr("core.db.ARROW_MIN_ROWS", 10**12)
        bulk_insert(connection, "by_rows", frame)
        monkeypatch.setattr("core.db.ARROW_MIN_ROWS", ARROW_MIN_ROWS)
        bulk_insert(connection, "by_arrow", frame)

    assert sum(statement.startswith("ATTACH") for statement in seen) == 1  # the second load only
    by_rows, by_arrow = _stored(connection, "by_rows"), _stored(connection, "by_arrow")
    assert len(by_arrow) == ROWS
    assert by_arrow == by_rows
    assert by_arrow[1] == ("integer", 1, "integer", 1_000_003, "real", 0.125, "integer", 1, "text", "é 1",
                           "text", "2026-02-02", "text", "1970-01-01 00:01:01.000123", "text", "module")
    assert (by_arrow[0][2:4], by_arrow[0][8:10]) == (("null", None), ("null", None))


def test_a_column_arrow_cannot_hold_exactly_is_bound_row_by_row(connection: Connection, scratch: Path) -> None:
    frame = pd.DataFrame({"code": [f"c{row}" for row in range(ROWS)],
                          "n": [row if row % 2 else f"text {row}" for row in range(ROWS)]})  # numbers and text

    with statements_run(connection.engine) as seen, connection.begin():
        bulk_insert(connection, "probe", frame)

    assert not any(statement.startswith("ATTACH") for statement in seen)
    stored = connection.exec_driver_sql("SELECT typeof(n), n FROM probe ORDER BY id LIMIT 2").all()
    assert stored == [("text", "text 0"), ("integer", 1)]
    assert list(scratch.iterdir()) == []


def test_a_scratch_file_stays_attached_only_while_its_transaction_runs(engine: Engine, scratch: Path) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("scratch files are SQLite's bulk path")
    with engine.begin() as setup:
        setup.exec_driver_sql("CREATE TABLE probe (id INTEGER PRIMARY KEY, code TEXT, n INTEGER)")
    frame = pd.DataFrame({"code": [f"c{row}" for row in range(ROWS)], "n": range(ROWS)})

    with session_scope(engine) as session:
        bulk_insert(session.connection(), "probe", frame)
        attached = [row[1] for row in session.connection().exec_driver_sql("PRAGMA database_list")]
        assert len(list(scratch.iterdir())) == 1
        assert [name.startswith("bulk_load_") for name in attached] == [False, True]  # main, and the scratch file

    assert list(scratch.iterdir()) == []
    with engine.connect() as again:
        assert [row[1] for row in again.exec_driver_sql("PRAGMA database_list")] == ["main"]
        assert again.exec_driver_sql("SELECT count(*), sum(n) FROM probe").one() == (ROWS, sum(range(ROWS)))


def test_a_connection_held_across_many_loads_attaches_a_scratch_file_for_each(
    connection: Connection, scratch: Path
) -> None:
    """SQLite attaches ten databases at most: each load detaches those of transactions already over."""
    with statements_run(connection.engine) as seen:
        for load in range(12):
            with connection.begin():
                bulk_insert(connection, "probe", _frame(load * ROWS, ROWS))

    assert sum(statement.startswith("ATTACH") for statement in seen) == 12
    assert connection.exec_driver_sql("SELECT count(*) FROM probe").scalar() == 12 * ROWS
    assert len(list(scratch.iterdir())) == 1  # the last one's, until the connection goes back to the pool


def test_a_load_on_a_connection_with_no_room_to_attach_binds_its_rows_one_by_one(
    connection: Connection, scratch: Path
) -> None:
    for number in range(10):  # SQLite's limit
        connection.exec_driver_sql(f"ATTACH DATABASE ':memory:' AS held_{number}")
    connection.commit()

    with connection.begin():
        assert bulk_insert(connection, "probe", _frame(0, ROWS)) == ROWS

    assert connection.exec_driver_sql("SELECT count(*) FROM probe").scalar() == ROWS
    assert list(scratch.iterdir()) == []
