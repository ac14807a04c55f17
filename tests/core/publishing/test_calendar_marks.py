"""The calendar's row triggers set aside for a large refresh write on SQLite (`core.publishing.calendar_marks`):
they are back after the write whatever happened to it. That the days are marked all the same is checked where
the cells are read (`tests/core/dashboards/test_held_cells.py`, with every refresh written as a large one)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Connection, Engine

from core.publishing.calendar_marks import SET_ASIDE_MIN_ROWS, triggers_set_aside


def _triggers(connection: Connection) -> list[tuple[str, str]]:
    return [(str(name), str(sql)) for name, sql in connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'publish_entry' ORDER BY name")]


@pytest.fixture
def sqlite(engine: Engine) -> Engine:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's row triggers; PostgreSQL's statement triggers are never set aside")
    return engine


def test_the_triggers_are_back_after_a_write_that_failed_and_after_one_rolled_back(sqlite: Engine) -> None:
    with sqlite.connect() as connection:
        before = _triggers(connection)
        assert len(before) == 3  # migration 0016: insert, update, delete

        def failed_write() -> None:
            with triggers_set_aside(connection, SET_ASIDE_MIN_ROWS) as aside:
                assert aside is not None
                assert _triggers(connection) == []
                raise RuntimeError("the write failed")

        def transaction_gone() -> None:
            with triggers_set_aside(connection, SET_ASIDE_MIN_ROWS):
                connection.rollback()  # as an error that ends the whole transaction does
                raise RuntimeError("the transaction is gone")

        with pytest.raises(RuntimeError, match="the write failed"):
            failed_write()
        assert _triggers(connection) == before  # the transaction goes on: it must not commit them away
        connection.commit()

        with pytest.raises(RuntimeError, match="the transaction is gone"):
            transaction_gone()
        connection.commit()
        assert _triggers(connection) == before

    with sqlite.connect() as other:
        assert _triggers(other) == before


def test_a_small_write_keeps_the_triggers(sqlite: Engine) -> None:
    with sqlite.connect() as connection, triggers_set_aside(connection, SET_ASIDE_MIN_ROWS - 1) as aside:
        assert aside is None
        assert len(_triggers(connection)) == 3


def test_other_connections_never_see_the_triggers_gone(sqlite: Engine) -> None:
    with sqlite.connect() as connection, triggers_set_aside(connection, SET_ASIDE_MIN_ROWS) as aside:
        assert aside is not None
        with sqlite.connect() as other:
            assert len(_triggers(other)) == 3
