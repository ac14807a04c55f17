"""The SQLite reader process: every query's rows in order, each with its own columns, or why it failed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.aggregation.sqlite_child import ChildReadError, read_in_child


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = tmp_path / "child.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE log (id INTEGER, site INTEGER, at TEXT)")
        connection.executemany("INSERT INTO log VALUES (?, ?, ?)",
                               [(n, n % 3, f"2026-11-20 0{n % 10}:00:00.000000") for n in range(1, 2001)])
        connection.execute("CREATE TABLE quantity (site INTEGER, unit TEXT, units REAL)")
        connection.execute("INSERT INTO quantity VALUES (2, 'CY', 12.5)")
    return str(path)


def test_each_query_comes_back_in_order_with_its_own_columns(database: str) -> None:
    tables = read_in_child(database, ["SELECT id, site FROM log WHERE id <= 1500",
                                      "SELECT id, site FROM log WHERE id > 1500",
                                      "SELECT unit, units FROM quantity"])

    assert [table.num_rows for table in tables] == [1500, 500, 1]
    assert tables[0]["id"].to_pylist()[:2] == [1, 2]
    assert tables[1]["id"].to_pylist()[-1] == 2000
    assert tables[2].to_pylist() == [{"unit": "CY", "units": 12.5}]


def test_a_query_the_child_cannot_run_says_why(database: str) -> None:
    with pytest.raises(ChildReadError, match="no such table"):
        read_in_child(database, ["SELECT id FROM log", "SELECT id FROM nowhere"])
