"""Reads SQLite query results as Arrow columns in a process of its own, for `columnar.read_table`.

connectorx (and ADBC's SQLite driver) carry their own copy of the SQLite
library. In the app's process two copies release each other's POSIX locks
("How To Corrupt An SQLite Database File", section 2.2.1); in a child process
the reader is just one more process reading the file. The parent sends the
database path and the queries as JSON on stdin; the child reads them side by side
and answers with one Arrow IPC stream per query, in order. The child sees
committed data only, like ADBC's connections on PostgreSQL.

This file runs as a script in the child (`python -P sqlite_child.py`), so it
imports nothing of the project.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
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
    # The streams are read from the pipe as they come, each batch into memory of its own: gathering the whole
    # output first held all of it (about 140 MiB for a million time logs) for as long as any column lived.
    with tempfile.TemporaryFile() as errors, subprocess.Popen(  # noqa: S603 (our own script)
        [sys.executable, "-P", str(Path(__file__).resolve())],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
    ) as child:
        assert child.stdin is not None  # both are pipes
        assert child.stdout is not None
        child.stdin.write(request)
        child.stdin.close()
        try:
            tables = [pa.ipc.open_stream(child.stdout).read_all() for _ in queries]  # one per query, in order
        except (pa.ArrowInvalid, OSError):
            tables = []
        child.stdout.close()
        if child.wait() != 0 or len(tables) != len(queries):
            errors.seek(0)
            lines = errors.read().decode(errors="replace").strip().splitlines() or ["no output"]
            raise ChildReadError(f"the SQLite reader process failed: {lines[-1][:300]}")
    return tables


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
    for table in tables:  # each with its own schema: a column all null in one slice is typed by the caller
        with pa.ipc.new_stream(sys.stdout.buffer, table.schema) as stream:
            stream.write_table(table)


if __name__ == "__main__":
    _serve()
