"""Query results as Arrow tables, read straight into columns where the database allows it.

Through the DBAPI, every value of a million rows becomes a Python object first.
On PostgreSQL, the ADBC driver fills Arrow columns in C instead (over the
binary COPY protocol), and several can read slices of one result at once. They
open connections of their own, so they see committed data only: a session whose
transaction has written something reads through its own cursor.

On SQLite, a large read of a database file goes to connectorx in a child
process (`sqlite_child`: its own copy of the SQLite library must stay out of
ours); small reads, in-memory databases and sessions with uncommitted writes use
the session's cursor. bench/aggregation.py prints the three ways side by side.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
from sqlalchemy import Select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from core.aggregation.collection import collection_paused
from core.aggregation.sqlite_child import ChildReadError, read_in_child
from core.db import has_uncommitted_writes

logger = logging.getLogger(__name__)


def parallel_readers() -> int:
    """How many slices of one result ADBC reads at once on this machine (a cursor reads them in turn)."""
    return max(1, min(os.cpu_count() or 1, 4))


Result = tuple[Sequence[Select[Any]], pa.Schema]  # the queries of one result (slices, in order) and its schema


def read_table(
    session: Session, queries: Sequence[Select[Any]], schema: pa.Schema, *, bulk: bool = True, huge: bool = True,
) -> pa.Table:
    """The rows of `queries` (slices of one result, in order) as one table with `schema`.

    Columns are matched by position and cast to the schema's types; text holding
    instants or dates (SQLite's DATETIME and DATE) becomes timestamps and dates.
    `bulk=False` says the result is small: opening ADBC connections (about a
    tenth of a second) would cost more than it saves, so the cursor reads it. On SQLite, only a `huge` result
    goes to the child process: starting one takes about half a second (a second on a busy machine), paid by a
    process's first such read only, since each read starts the next one's child ahead.
    """
    return read_tables(session, [(queries, schema)], bulk=bulk, huge=huge)[0]


def read_tables(session: Session, results: Sequence[Result], *, bulk: bool = True, huge: bool = True) -> list[pa.Table]:
    """`read_table` for several results at once: their queries are read side by side (on SQLite by one child
    process, which a smaller result joins for free), one table per result."""
    return read_tables_ahead(session, results, bulk=bulk, huge=huge, ahead=False).tables()


class PendingTables:
    """`read_tables` started by `read_tables_ahead`: `tables()` finishes it, `settle()` lets it go unused."""

    def __init__(self, session: Session, results: Sequence[Result], *, bulk: bool, huge: bool, ahead: bool) -> None:
        self._connection, self._results = session.connection(), results
        self._queries = [query for queries, _ in results for query in queries]
        self._schemas = [schema for queries, schema in results for _ in queries]
        self._outside = _outside_reader(self._connection, self._queries, self._schemas, bulk=bulk, huge=huge)
        self._pending: Future[list[pa.Table] | None] | None = None
        if self._outside is not None and ahead:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
            self._pending = pool.submit(self._outside)
            pool.shutdown(wait=False)  # its thread ends once this one read is done

    def tables(self) -> list[pa.Table]:
        """One table per result, waiting for the outside reader; the session's cursor reads (in this thread)
        when none applies or it failed."""
        outside = self._outside
        parts = self._pending.result() if self._pending is not None else outside() if outside is not None else None
        if parts is None:
            parts = [_through_cursor(self._connection, query, schema)
                     for query, schema in zip(self._queries, self._schemas, strict=True)]
        tables, first = [], 0
        for queries_of_result, schema in self._results:
            own = parts[first:first + len(queries_of_result)]
            first += len(queries_of_result)
            tables.append(pa.concat_tables(own) if own else schema.empty_table())
        return tables

    def settle(self) -> None:
        """Wait for an outside reader still reading and drop what it read; the session reads nothing."""
        if self._pending is not None:
            self._pending.exception()  # waits; its failure does not matter to work that stopped


def read_tables_ahead(
    session: Session, results: Sequence[Result], *, bulk: bool = True, huge: bool = True, ahead: bool = True,
) -> PendingTables:
    """`read_tables`, started now and finished by `tables()` of what it returns.

    With `ahead`, a read done outside the session (ADBC's connections, the SQLite child process) runs in a
    thread of its own meanwhile, so the session can read something else at the same time. The session's own
    cursor is only ever used by the caller's thread: when no outside reader applies, or it failed, the cursor
    reads when `tables()` is called.
    """
    return PendingTables(session, results, bulk=bulk, huge=huge, ahead=ahead)


def _outside_reader(
    connection: Connection, queries: Sequence[Select[Any]], schemas: Sequence[pa.Schema], *, bulk: bool, huge: bool,
) -> Callable[[], list[pa.Table] | None] | None:
    """A read of `queries` outside the session (None where none applies); it answers None when it fails. Their
    SQL is written here, in the caller's thread."""
    if not bulk or has_uncommitted_writes(connection):
        return None
    if (uri := _adbc_uri(connection)) is not None:
        sql = [_sql(connection, query) for query in queries]
        return lambda: _through_adbc_in_parallel(uri, sql, schemas)
    if huge and (path := sqlite_file(connection)) is not None:
        sql = [_sql(connection, query) for query in queries]
        return lambda: _through_child(path, sql, schemas)
    return None


def _through_adbc_in_parallel(uri: str, sql: Sequence[str], schemas: Sequence[pa.Schema]) -> list[pa.Table] | None:
    """The parts read by ADBC, or None when its connections fail (the session's own cursor reads them then)."""
    from adbc_driver_manager import Error as AdbcError

    try:
        with ThreadPoolExecutor(max_workers=max(len(sql), 1)) as pool:
            return list(pool.map(lambda text, schema: _through_adbc(uri, text, schema), sql, schemas))
    except AdbcError as error:  # the driver's message names the server, never the password
        logger.warning("reading through ADBC failed, reading through the session instead: %s", error)
        return None


def _through_child(path: str, sql: Sequence[str], schemas: Sequence[pa.Schema]) -> list[pa.Table] | None:
    """The parts read by connectorx in a child process, or None when it fails (the cursor reads them then)."""
    try:
        parts = read_in_child(path, sql)
    except ChildReadError as error:
        logger.warning("reading in a child process failed, reading through the session instead: %s", error)
        return None
    return [_conform(part, schema) for part, schema in zip(parts, schemas, strict=True)]


def release_unused_memory() -> None:
    """Hand the memory Arrow's allocator keeps after large columns are freed back to the system.

    Its allocator (mimalloc) holds on to freed pages for reuse: after a million time logs' columns
    have been turned into a frame, about a hundred MiB stay resident that nothing uses.
    """
    pa.default_memory_pool().release_unused()


def sqlite_file(connection: Connection) -> str | None:
    """The path of `connection`'s SQLite database file (None for other databases and in-memory ones)."""
    url = connection.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return str(url.database)


def _adbc_uri(connection: Connection) -> str | None:
    url = connection.engine.url
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql").render_as_string(hide_password=False)
    return None


def _sql(connection: Connection, query: Select[Any]) -> str:
    """The query as plain SQL; its literals are our own ids and instants, never user text."""
    return str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))


def _through_adbc(uri: str, sql: str, schema: pa.Schema) -> pa.Table:
    with _adbc_connection(uri) as adbc, adbc.cursor() as cursor:
        cursor.execute(sql)
        return _conform(cursor.fetch_arrow_table(), schema)


@contextmanager
def _adbc_connection(uri: str) -> Iterator[Any]:
    import adbc_driver_postgresql.dbapi as driver

    connection = driver.connect(uri)
    try:
        yield connection
    finally:
        connection.close()


def _through_cursor(connection: Connection, query: Select[Any], schema: pa.Schema) -> pa.Table:
    with collection_paused():  # millions of fresh row tuples, none in a cycle
        rows = connection.execute(query).cursor.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
        arrays = [pa.array(values, type=field.type if pa.types.is_integer(field.type) else None) if values
                  else pa.array([], type=field.type) for values, field in zip(columns, schema, strict=True)]
    return _conform(pa.table(arrays, names=schema.names), schema)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    columns = []
    for column, field in zip(table.columns, schema, strict=True):
        if pa.types.is_timestamp(field.type) and pa.types.is_string(column.type):
            column = column.cast(pa.timestamp(field.type.unit))  # SQLite's DATETIME text, always UTC here
        if pa.types.is_date(field.type) and pa.types.is_string(column.type):
            column = column.cast(pa.timestamp("s")).cast(field.type)  # SQLite's DATE text
        if pa.types.is_timestamp(column.type) and column.type.tz is None and field.type.tz is not None:
            column = column.cast(pa.timestamp(column.type.unit, tz=field.type.tz))
        columns.append(column.cast(field.type) if column.type != field.type else column)
    return pa.table(columns, schema=schema)
