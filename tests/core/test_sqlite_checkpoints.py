from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from core.db import ARROW_MIN_ROWS, bulk_insert, session_scope
from core.sqlite_checkpoints import checkpoints_finished

ROWS = ARROW_MIN_ROWS + 2_000


@pytest.fixture
def file_engine(engine: Engine) -> Engine:
    if engine.dialect.name != "sqlite":
        pytest.skip("checkpoints of the write-ahead log are SQLite's")
    with engine.begin() as setup:
        setup.exec_driver_sql("CREATE TABLE probe (id INTEGER PRIMARY KEY, code TEXT, note TEXT)")
    return engine


def _database_file_alone(engine: Engine, tmp_path: Path) -> int:
    """The rows of a copy of the database file without its write-ahead log: what a checkpoint has copied back."""
    source = Path(str(engine.url.database))
    copy = tmp_path / "file-alone.sqlite3"
    copy.write_bytes(source.read_bytes())
    with closing(sqlite3.connect(f"file:{copy}?immutable=1", uri=True)) as alone:
        return int(alone.execute("SELECT count(*) FROM probe").fetchone()[0])


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"code": [f"c{row}" for row in range(rows)], "note": [f"note {row}" for row in range(rows)]})


def test_a_large_load_commits_without_copying_the_log_back_which_a_thread_does_after(
    file_engine: Engine, tmp_path: Path
) -> None:
    assert checkpoints_finished(timeout=30)
    with session_scope(file_engine) as session:
        bulk_insert(session.connection(), "probe", _frame(ROWS))
        assert session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0

    assert checkpoints_finished(timeout=30)
    assert _database_file_alone(file_engine, tmp_path) == ROWS
    with file_engine.connect() as again:  # the pool's connection is back to SQLite's own checkpoints
        assert again.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        assert again.exec_driver_sql("SELECT count(*) FROM probe").scalar() == ROWS


def test_a_small_write_leaves_checkpoints_to_sqlite(file_engine: Engine) -> None:
    with session_scope(file_engine) as session:
        bulk_insert(session.connection(), "probe", _frame(10))
        assert session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000


def test_a_failed_large_load_leaves_the_connection_with_sqlites_own_checkpoints(file_engine: Engine) -> None:
    broken = _frame(ROWS)
    broken["id"] = 1  # every row the same key

    with pytest.raises(Exception, match="UNIQUE"), session_scope(file_engine) as session:
        bulk_insert(session.connection(), "probe", broken)

    assert checkpoints_finished(timeout=30)
    with file_engine.connect() as again:
        assert again.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        assert again.exec_driver_sql("SELECT count(*) FROM probe").scalar() == 0
