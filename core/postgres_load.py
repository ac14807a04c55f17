"""A PostgreSQL bulk load that fills a table: its foreign keys and non-unique indexes set aside for the load and
put back after it, inside the same transaction.

During a COPY, each row runs one check per foreign key (a lookup, and a lock on the row it names) and one insert
per index. On `publish_entry`, when it had six foreign keys (before migration 0018), the checks were more than half
the time of the first full refresh of a million time logs: 104 s with them, 46 s without; a first import of time
logs fills their table the same way. Putting a key back checks every row in one join;
building an index back is one sort. A table with no foreign keys keeps its indexes: the entries' whole refresh
(migration 0018 took their keys away) wrote its 1,251,712 rows in 28–33 s by one `INSERT … SELECT` through them,
against 37–40 s with them set aside and built again (3 runs each, `bench/write_floor.py`; most likely because a
refresh writes a module's entries day by day, and the calendar index, led by the module and the day, takes them at
its right edge). Our whole refresh, by COPY, took 53.5–65.5 s that way against 47.5–69.3 s with them set aside
(4 and 3 runs, no difference beyond this machine's noise), and such a load takes no lock beyond a plain
insert's: readers are no longer held out of the table for the minute it takes.

Setting them aside needs the table to itself (an ACCESS EXCLUSIVE lock, held to the end of the transaction). The
lock is waited for at most `LOCK_WAIT`. When it is not granted in time, or the role may not alter the table, the
load goes ahead with the keys and indexes in place, as it would have anyway. Once granted, others reading the
table wait until the load's transaction ends: only a load that at least doubles the table takes it, such as a
first full refresh or a first import.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

LOCK_WAIT = "2s"  # how long a load waits for the table to itself before it loads with the keys in place

_KEYS = ("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
         "WHERE conrelid = %(table)s::regclass AND contype = 'f' ORDER BY conname")
_INDEXES = ("SELECT index.relname, pg_get_indexdef(index.oid) FROM pg_index AS entry "
            "JOIN pg_class AS index ON index.oid = entry.indexrelid "
            "WHERE entry.indrelid = %(table)s::regclass AND NOT entry.indisunique AND NOT entry.indisprimary "
            "ORDER BY index.relname")


@contextmanager
def keys_and_indexes_set_aside(connection: Connection, table_name: str, *, fills: bool) -> Iterator[None]:
    """Inside the block, `table_name` has no foreign keys and no non-unique indexes when `fills` (the load at
    least doubles the table), the table has foreign keys and it could be had to itself; after it, they are back
    as they were."""
    put_back = _set_aside(connection, table_name) if fills else []
    yield
    for sql in put_back:
        connection.exec_driver_sql(sql)


def _set_aside(connection: Connection, table_name: str) -> list[str]:
    """Drop the table's foreign keys and non-unique indexes; the statements that put them back, or none when
    they stay (no foreign key to drop, the lock not granted in time, or no right to alter the table)."""
    keys = connection.exec_driver_sql(_KEYS, {"table": table_name}).all()
    if not keys:  # its indexes cost less kept than built again, and the table stays open to readers
        return []
    indexes = connection.exec_driver_sql(_INDEXES, {"table": table_name}).all()
    quote = connection.dialect.identifier_preparer.quote
    try:
        with connection.begin_nested():  # a refusal rolls back to here, and the load goes on as usual
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            connection.exec_driver_sql(f"LOCK TABLE {table_name} IN ACCESS EXCLUSIVE MODE")
            connection.exec_driver_sql("SET LOCAL lock_timeout = DEFAULT")
            for name, _ in keys:
                connection.exec_driver_sql(f"ALTER TABLE {table_name} DROP CONSTRAINT {quote(name)}")
            for name, _ in indexes:
                connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
    except DBAPIError:
        return []
    return [*(str(definition) for _, definition in indexes),
            *(f"ALTER TABLE {table_name} ADD CONSTRAINT {quote(name)} {definition}" for name, definition in keys)]
