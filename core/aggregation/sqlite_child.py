"""Reads SQLite query results as Arrow columns in a process of its own, for `columnar.read_table`.

connectorx (and ADBC's SQLite driver) carry their own copy of the SQLite
library. In the app's process two copies release each other's POSIX locks
("How To Corrupt An SQLite Database File", section 2.2.1); in a child process
the reader is just one more process reading the file. The parent sends the
database path and the queries as JSON on stdin; the child reads them side by side
and answers with one Arrow IPC stream per query, in order. The child sees
committed data only, like ADBC's connections on PostgreSQL.

Starting a child costs about half a second, most of it importing pyarrow and
connectorx, against about a tenth for reading a week of time logs. So each read
starts the next read's child once it is done: that spare does its imports and
waits for its one request, and exits unused when this process ends (its stdin
closes).

This file runs as a script in the child (`python -P sqlite_child.py`), so it
imports nothing of the project.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO
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
    child = _taken_child()
    try:
        tables = _answer(child, request, len(queries))
    finally:
        child.errors.close()
        _start_spare()
    return tables


@dataclass(frozen=True)
class _Child:
    process: subprocess.Popen[bytes]
    errors: IO[bytes]  # its error output, read only when it fails


_spare_lock = threading.Lock()
_spare: list[_Child] = []  # at most one child started ahead, waiting for its request
_fork_hook: list[bool] = []  # whether a process made by fork() is told to let go of the spare


def _started_child() -> _Child:
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (the child's to keep: closed once its read is done)
    process = subprocess.Popen(  # noqa: S603 (our own script)
        [sys.executable, "-P", str(Path(__file__).resolve())],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
    )
    return _Child(process, errors)


def _taken_child() -> _Child:
    """The spare when one is waiting, else a child started now."""
    with _spare_lock:
        spare = _spare.pop() if _spare else None
    if spare is not None and spare.process.poll() is None:
        return spare
    if spare is not None:
        _let_go(spare)
    return _started_child()


def _start_spare() -> None:
    """Start the next read's child now, unless one is waiting already."""
    with _spare_lock:
        if not _fork_hook:
            os.register_at_fork(after_in_child=_forget_spare)
            _fork_hook.append(True)
        if not _spare:
            with contextlib.suppress(OSError):  # none now (out of processes or files): the next read starts one
                _spare.append(_started_child())


def _forget_spare() -> None:
    """In a process made by fork(): the parent's spare is the parent's, and the lock may have been held."""
    global _spare_lock
    _spare_lock = threading.Lock()
    while _spare:
        _let_go(_spare.pop())


def _let_go(child: _Child) -> None:
    """Close this process's ends of a child it will not use (a spare exits when its stdin closes)."""
    for stream in (child.process.stdin, child.process.stdout, child.errors):
        if stream is not None:
            stream.close()


def _answer(child: _Child, request: bytes, count: int) -> list[pa.Table]:
    # The streams are read from the pipe as they come, each batch into memory of its own: gathering the whole
    # output first held all of it (about 140 MiB for a million time logs) for as long as any column lived.
    with child.process:
        assert child.process.stdin is not None  # both are pipes
        assert child.process.stdout is not None
        try:
            child.process.stdin.write(request + b"\n")  # one line: the child never waits for the pipe to close
            child.process.stdin.close()
            tables = [pa.ipc.open_stream(child.process.stdout).read_all() for _ in range(count)]  # in order
        except (pa.ArrowInvalid, OSError):  # OSError: also a spare that died before its request
            tables = []
        child.process.stdout.close()
        if child.process.wait() != 0 or len(tables) != count:
            child.errors.seek(0)
            lines = child.errors.read().decode(errors="replace").strip().splitlines() or ["no output"]
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
    with contextlib.suppress(ImportError):  # a request naming it fails and says why
        import connectorx  # noqa: F401 (imported while waiting: the reader most requests name)
    line = sys.stdin.buffer.readline()
    if not line:
        return  # a spare its parent never used
    request = json.loads(line)
    with ThreadPoolExecutor(max_workers=max(len(request["queries"]), 1)) as pool:
        tables = list(pool.map(lambda sql: _read(request["path"], sql, request["reader"]), request["queries"]))
    for table in tables:  # each with its own schema: a column all null in one slice is typed by the caller
        with pa.ipc.new_stream(sys.stdout.buffer, table.schema) as stream:
            stream.write_table(table)


if __name__ == "__main__":
    _serve()
