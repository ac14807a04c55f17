"""Reading the time logs' ten columns three ways on SQLite, side by side (used by `bench/aggregation.py`).

The same query `core.aggregation` sends (one slice per reader, as a whole-range read), read:

- by Python's `sqlite3` cursor in this process (what small reads use: `read_table(..., huge=False)`);
- by connectorx in a child process (what large reads use: `core.aggregation.sqlite_child`);
- by ADBC's SQLite driver in a child process.

Each with wall time, CPU time of this process and its children, and the load average; all must give the
same rows. A child read takes the spare child the read before it started (`sqlite_child`), whose imports are
then still under way: each of the two child reads here waits for most of a child's start, as the first read of
a process does.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.aggregation import source
from core.aggregation.columnar import _conform, _sql, read_table, sqlite_file
from core.aggregation.sqlite_child import read_in_child


@dataclass(frozen=True)
class Read:
    way: str
    wall: float
    cpu: float
    load: float
    rows: int


def compare_readers(engine: Engine, start: date, end: date) -> list[Read]:
    """The three ways over the time logs dated [start, end] (SQLite only)."""
    with Session(engine) as session:
        connection = session.connection()
        path = sqlite_file(connection)
        assert path is not None, "the reader comparison runs on a SQLite file"
        zones = source._site_zones(session, None)
        window = source._clock_ins(*source._utc_window(start, end, set(zones.values())), None)
        query = source._time_log_query(window)
        sql = _sql(connection, query)
        schema = source._RAW_SCHEMA
        reads = [
            _timed("sqlite3 cursor (this process)", lambda: read_table(session, [query], schema, huge=False)),
            _timed("connectorx (child process)", lambda: _conform(read_in_child(path, [sql])[0], schema)),
            _timed("ADBC SQLite (child process)",
                   lambda: _conform(read_in_child(path, [sql], reader="adbc")[0], schema)),
        ]
    if len({read.rows for read in reads}) != 1:
        raise SystemExit(f"the readers disagree: {[(read.way, read.rows) for read in reads]}")
    return reads


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and the children it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(way: str, work: Callable[[], pa.Table]) -> Read:
    started, started_cpu = time.perf_counter(), cpu_seconds()
    table = work()
    return Read(way, time.perf_counter() - started, cpu_seconds() - started_cpu, os.getloadavg()[0], table.num_rows)
