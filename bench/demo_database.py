"""A demo time clock in a database of its own, written once and reused (the aggregation and calendar benches)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import create_db_engine, migrate
from core.demo.generator import DemoSize, analyze, generate, has_time_clock_data


def demo_database(
    name: str, size: DemoSize, *, database_url: str | None = None, fresh: bool = False
) -> tuple[Engine, bool]:
    """The engine of a demo world of `size`, and whether it was written just now.

    Without `database_url`, the world lives in the SQLite file `name`.sqlite3 in the temporary directory
    (`fresh` deletes it first); a PostgreSQL database given by URL should start empty.
    """
    if database_url is None:
        path = Path(tempfile.gettempdir()) / f"{name}.sqlite3"
        if fresh:
            for leftover in path.parent.glob(f"{path.name}*"):
                leftover.unlink()
        database_url = f"sqlite:///{path}"
    engine = create_db_engine(database_url)
    where = engine.url.render_as_string(hide_password=True)
    migrate(engine)
    with Session(engine) as session:
        if has_time_clock_data(session):  # the generator writes in one transaction: data means a whole world
            print(f"reusing the demo world in {where}")
            return engine, False
    print(f"writing the demo world into {where} …", flush=True)
    report = generate(engine, size)
    analyze(engine)
    print(f"  {report.counts['time logs']:,} time logs in {report.seconds:.1f} s")
    return engine, True


def at_rest(engine: Engine) -> None:
    """The tables as a database left to itself keeps them: on PostgreSQL vacuumed and analysed, as autovacuum
    leaves a table soon after a bulk write. Until then a table written just now has no visibility map, so an
    index-only scan (the calendar's) still reads each row's heap page: twice the time of a month's counts.
    On SQLite, the planner's statistics."""
    if engine.dialect.name != "postgresql":
        analyze(engine)
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
