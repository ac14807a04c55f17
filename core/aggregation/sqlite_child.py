"""Reads SQLite query results as Arrow columns in a process of its own, for `columnar.read_table`.

connectorx (and ADBC's SQLite driver) carry their own copy of the SQLite
library. In the app's process two copies release each other's POSIX locks
("How To Corrupt An SQLite Database File", section 2.2.1); in a child process
the reader is just one more process reading the file. The parent sends the
database path and the queries as JSON on stdin; the child answers with one Arrow
IPC stream holding the queries' rows in order, read side by side. The child sees
committed data only, like ADBC's connections on PostgreSQL.

This file runs as a script in the child (`python -P sqlite_child.py`), so it
imports nothing of the project.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pyarrow as pa


class ChildReadError(RuntimeError):
    """The child process could not read (a driver missing, a query refused): the caller reads another way."""


def read_in_child(path: str, queries: Sequence[str], *, reader: str = "connectorx") -> list[pa.Table]:
    """The rows of each query in `queries`, read from the SQLite file `path` by `reader` in a child process.

    `reader` is "connectorx" (it returns instants already typed) or "adbc" (ADBC's SQLite driver).

    Raises:
        ChildReadError: the child failed; its last line of error output says why (no data, no secrets).
    """
    request = json.dumps({"path": path, "queries": list(queries), "reader": reader}).encode()
    done = subprocess.run([sys.executable, "-P", str(Path(__file__).resolve())],  # noqa: S603 (our own script)
                          input=request, capture_output=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines() or ["no output"]
        raise ChildReadError(f"the SQLite reader process failed: {lines[-1][:300]}")
    tables = pa.ipc.open_stream(pa.py_buffer(done.stdout)).read_all()
    return _split(tables)


def _split(stream: pa.Table) -> list[pa.Table]:
    """The stream's rows cut into each query's again (their row counts are in the schema's metadata)."""
    counts = json.loads((stream.schema.metadata or {})[b"rows"])
    starts = [sum(counts[:index]) for index in range(len(counts))]
    plain = stream.replace_schema_metadata(None)
    return [plain.slice(start, count) for start, count in zip(starts, counts, strict=True)]


def _read(path: str, sql: str, reader: str) -> pa.Table:
    if reader == "adbc":
        import adbc_driver_sqlite.dbapi as adbc

        with adbc.connect(path) as connection, connection.cursor() as cursor:
            cursor.execute(sql)
            table: pa.Table = cursor.fetch_arrow_table()
            return table
    import connectorx

    result: pa.Table = connectorx.read_sql(f"sqlite://{quote(path)}", sql, return_type="arrow")
    return result


def _serve() -> None:
    request = json.load(sys.stdin)
    with ThreadPoolExecutor(max_workers=max(len(request["queries"]), 1)) as pool:
        tables = list(pool.map(lambda sql: _read(request["path"], sql, request["reader"]), request["queries"]))
    schema = _common_schema(tables).with_metadata({"rows": json.dumps([table.num_rows for table in tables])})
    with pa.ipc.new_stream(sys.stdout.buffer, schema) as stream:
        for table in tables:
            stream.write_table(table.cast(schema.remove_metadata()).replace_schema_metadata(schema.metadata))


def _common_schema(tables: list[pa.Table]) -> pa.Schema:
    """One schema for all parts: a column all null in one slice takes its type from another."""
    fields = []
    for index, field in enumerate(tables[0].schema):
        typed = [table.schema.field(index).type for table in tables if not pa.types.is_null(
            table.schema.field(index).type)]
        fields.append(field.with_type(typed[0] if typed else field.type))
    return pa.schema(fields)


if __name__ == "__main__":
    _serve()
