"""`bulk_insert` on PostgreSQL when a load fills a table: its foreign keys and non-unique indexes are set aside
for the COPY and are back, as they were, after it (`core.postgres_load`)."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from core import postgres_load
from core.db import bulk_insert

ROWS = 12_000  # enough to fill the table in one load


@pytest.fixture
def engine_with_probe(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("the keys set aside are PostgreSQL's bulk path")
    with engine.begin() as setup:
        setup.exec_driver_sql("CREATE TABLE probe_site (id INTEGER PRIMARY KEY)")
        setup.exec_driver_sql("INSERT INTO probe_site SELECT generate_series(1, 10)")
        setup.exec_driver_sql(
            "CREATE TABLE probe_entry (id SERIAL PRIMARY KEY, code TEXT UNIQUE, "
            "site_id INTEGER REFERENCES probe_site (id) ON DELETE RESTRICT, day INTEGER)")
        setup.exec_driver_sql("CREATE INDEX ix_probe_entry_day ON probe_entry (day, site_id)")
    return engine


def _rows(count: int, *, site: int | None = None) -> pd.DataFrame:
    return pd.DataFrame({"code": [f"c{n}" for n in range(count)],
                         "site_id": [site if site is not None else 1 + n % 10 for n in range(count)],
                         "day": [n % 7 for n in range(count)]})


def _keys_and_indexes(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return _definitions(connection)


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM probe_entry").scalar_one())


def _definitions(connection: Connection) -> list[tuple[str, str]]:
    keys = connection.exec_driver_sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'probe_entry'::regclass "
        "ORDER BY conname").all()
    indexes = connection.exec_driver_sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'probe_entry' ORDER BY indexname").all()
    return [(str(name), str(definition)) for name, definition in [*keys, *indexes]]


def test_a_load_that_fills_the_table_leaves_its_keys_and_indexes_as_they_were(engine_with_probe: Engine) -> None:
    before = _keys_and_indexes(engine_with_probe)
    with engine_with_probe.begin() as connection:
        assert bulk_insert(connection, "probe_entry", _rows(ROWS)) == ROWS

    assert _keys_and_indexes(engine_with_probe) == before
    assert _count(engine_with_probe) == ROWS
    with pytest.raises(IntegrityError), engine_with_probe.begin() as connection:  # the foreign key holds again
        connection.exec_driver_sql("INSERT INTO probe_entry (code, site_id, day) VALUES ('x', 99, 1)")


def test_a_load_naming_a_missing_row_is_refused_whole(engine_with_probe: Engine) -> None:
    before = _keys_and_indexes(engine_with_probe)
    with pytest.raises(IntegrityError), engine_with_probe.begin() as connection:
        bulk_insert(connection, "probe_entry", pd.concat([_rows(ROWS), _rows(1, site=99).assign(code="bad")]))

    assert _count(engine_with_probe) == 0
    assert _keys_and_indexes(engine_with_probe) == before


def test_while_others_read_the_table_a_load_goes_ahead_with_its_keys_in_place(
    engine_with_probe: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader's open transaction holds the table: the load must not wait for it to end."""
    monkeypatch.setattr(postgres_load, "LOCK_WAIT", "50ms")
    loaded: list[int] = []

    def load() -> None:
        with engine_with_probe.begin() as connection:
            loaded.append(bulk_insert(connection, "probe_entry", _rows(ROWS)))
            loaded.append(connection.exec_driver_sql("SHOW lock_timeout").scalar_one() == "0")  # as before

    with engine_with_probe.connect() as reader:
        reader.exec_driver_sql("SELECT count(*) FROM probe_entry").scalar_one()  # its transaction stays open
        loader = threading.Thread(target=load)
        loader.start()
        loader.join(timeout=30)  # far longer than the load itself; a load waiting for the reader never ends
        waited = loader.is_alive()
        reader.rollback()
    loader.join()
    assert not waited, "the load waited for the reader to end"
    assert loaded == [ROWS, True]
    assert _count(engine_with_probe) == ROWS


def test_a_load_into_a_table_without_foreign_keys_keeps_its_indexes_and_its_readers(engine_with_probe: Engine) -> None:
    """Nothing is set aside: the indexes stay (kept costs less than built again) and a reader is not held up."""
    with engine_with_probe.begin() as setup:
        setup.exec_driver_sql("CREATE TABLE probe_plain (id SERIAL PRIMARY KEY, code TEXT UNIQUE, day INTEGER)")
        setup.exec_driver_sql("CREATE INDEX ix_probe_plain_day ON probe_plain (day)")
    with engine_with_probe.begin() as connection:
        assert bulk_insert(connection, "probe_plain", _rows(ROWS).drop(columns="site_id")) == ROWS
        indexes = connection.exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'probe_plain' ORDER BY indexname").scalars().all()
        with engine_with_probe.connect() as reader:  # the load's transaction is still open
            reader.exec_driver_sql("SET lock_timeout = '500ms'")
            seen = reader.exec_driver_sql("SELECT count(*) FROM probe_plain").scalar_one()
    assert indexes == ["ix_probe_plain_day", "probe_plain_code_key", "probe_plain_pkey"]
    assert seen == 0
