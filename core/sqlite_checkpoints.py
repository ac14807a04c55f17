"""SQLite's write-ahead log copied back into the database after a large write, on a thread of its own.

SQLite copies the log back (a checkpoint) inside the commit that takes it past a thousand pages, so the user
who wrote waits for it: a week's 111,000 timecard entries committed in 0.52–0.70 s that way and in 0.05 s
without it, the copy then taking 0.4–0.5 s. A transaction that makes a large load (`core.db.bulk_insert`)
turns that off for its connection (`checkpoint_later`); when the connection goes back to the pool, the setting
is restored and a thread copies the log back (`owed_checkpoint_started`). A commit on another connection that
comes meanwhile finds the checkpoint busy and goes on without waiting, as SQLite's own checkpoints do.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

_OWED = "sqlite_checkpoint_owed"
_SQLITE_DEFAULT_PAGES = 1000  # SQLite's own wal_autocheckpoint
_BUSY_TIMEOUT_SECONDS = 30

_running: dict[str, threading.Thread] = {}
_lock = threading.Lock()
_log = logging.getLogger(__name__)


def checkpoint_later(connection: Connection) -> None:
    """Leave the checkpoint of this SQLite connection's transaction to a thread, started once the connection is
    back in the pool (its commit then returns without copying the log back)."""
    if not connection.info.get(_OWED):
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        connection.info[_OWED] = True


def owed_checkpoint_started(dbapi_connection: Any, connection_record: Any) -> None:
    """On a SQLite connection's return to the pool: its automatic checkpoints back on and, when it made a large
    load, the log copied back on a thread (one per database file at a time)."""
    if dbapi_connection is None or not connection_record.info.pop(_OWED, False):
        return
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={_SQLITE_DEFAULT_PAGES}")
    path = next((str(file) for _, name, file in dbapi_connection.execute("PRAGMA database_list") if name == "main"),
                "")
    if not path:  # an in-memory database has no log
        return
    with _lock:
        # The one running copies every page committed before it began; later ones wait for the next checkpoint,
        # SQLite's own or ours.
        if path in _running:
            return
        thread = threading.Thread(target=_checkpointed, args=(path,), name="sqlite-checkpoint", daemon=True)
        _running[path] = thread
    thread.start()


def checkpoints_finished(timeout: float | None = None) -> bool:
    """Wait for the checkpoints running now; whether they all finished within `timeout` seconds."""
    with _lock:
        threads = list(_running.values())
    for thread in threads:
        thread.join(timeout)
    return not any(thread.is_alive() for thread in threads)


def _checkpointed(path: str) -> None:
    try:
        uri = f"{Path(path).as_uri()}?mode=rw"  # never creates a file: a database deleted meanwhile stays gone
        with closing(sqlite3.connect(uri, uri=True, timeout=_BUSY_TIMEOUT_SECONDS)) as connection:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.Error as error:  # the log stays as it is: SQLite's next checkpoint copies it back
        _log.warning("copying the write-ahead log back into the database failed: %s", error)
    finally:
        with _lock:
            _running.pop(path, None)
