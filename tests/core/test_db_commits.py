"""SQLite commits: in WAL without an fsync each (a publish commits once per entry, and workers share the file)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from core.db import create_db_engine

NORMAL = 1  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL


def test_a_sqlite_file_is_written_ahead_and_commits_without_an_fsync_each(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA synchronous")).scalar() == NORMAL
    finally:
        engine.dispose()
