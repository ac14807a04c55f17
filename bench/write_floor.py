"""The floor of the whole refresh: how long the database itself takes to write the million-log world's entries.

Run by hand from the project root after `bench/aggregation.py` wrote its world:

    python bench/write_floor.py [DATABASE_URL]

In one transaction that is rolled back at the end (the entries table must be empty, as
`bench/full_refresh.py` leaves it): every module refreshed as a full refresh does it
(`refresh_modules_changed`, timed), then its rows copied into a temporary table, the
entries deleted, and the very same rows written again by one `INSERT … SELECT` with no
Python in the loop, twice: through the keys and indexes as they are, and as
`core.db.bulk_insert` loads them (on SQLite the non-unique indexes built again after the
load and a larger page cache; on PostgreSQL a table's foreign keys and non-unique indexes
set aside and put back, `core.postgres_load`, which since the entries have no foreign keys
sets nothing aside for them: the two writes are then the same). Prints wall and CPU seconds
of each, and the load average.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from bench.aggregation import END, SIZE, START
from bench.full_refresh import MODULES, _resolver
from bench.readers import cpu_seconds
from core.db import _sqlite_bulk_load, create_db_engine
from core.postgres_load import keys_and_indexes_set_aside
from core.publishing.incremental import refresh_modules_changed

_TABLE = "publish_entry"


def main() -> None:
    default = Path(tempfile.gettempdir()) / (
        f"procore_bench_{SIZE.job_sites}x{SIZE.employees}x{SIZE.days}_seed{SIZE.seed}_{END}.sqlite3")
    engine = create_db_engine(sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{default}")
    with Session(engine) as session:
        connection = session.connection()
        if connection.execute(text(f"SELECT count(*) FROM {_TABLE}")).scalar():  # noqa: S608 - our own name
            raise SystemExit("the entries table is not empty: run bench/full_refresh.py first, it empties it")
        _print("ours: the whole refresh, writes included", _timed(lambda: refresh_modules_changed(
            session, modules=MODULES, start=START, end=END, resolver=lambda _module: _resolver(session))))
        rows = connection.execute(text(f"SELECT count(*) FROM {_TABLE}")).scalar()
        connection.execute(text(f"CREATE TEMP TABLE staged AS SELECT * FROM {_TABLE}"))  # noqa: S608
        for way, load in (("through the keys and indexes", _plain), ("as bulk_insert loads", _bulk)):
            connection.execute(text(f"DELETE FROM {_TABLE}"))  # noqa: S608
            _print(f"{connection.dialect.name} alone, {rows:,} rows by one INSERT … SELECT, {way}",
                   _timed(partial(load, connection)))
        session.rollback()


def _plain(connection: Connection) -> None:
    connection.exec_driver_sql(f"INSERT INTO {_TABLE} SELECT * FROM staged")  # noqa: S608


def _bulk(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        with keys_and_indexes_set_aside(connection, _TABLE, fills=True):
            _plain(connection)
        return
    with _sqlite_bulk_load(connection, _TABLE, rows=2**62):
        _plain(connection)


def _timed(work: Callable[[], Any]) -> tuple[float, float]:
    started, started_cpu = time.perf_counter(), cpu_seconds()
    work()
    return time.perf_counter() - started, cpu_seconds() - started_cpu


def _print(what: str, figures: tuple[float, float]) -> None:
    print(f"{what}: {figures[0]:.2f} s (CPU {figures[1]:.2f} s, load {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
