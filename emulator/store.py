"""SQLite storage for the emulator: generic records plus tokens, config, stats and rate windows.

Each thread keeps its own connection to a state file, so that several processes and threads
pointed at the same file see one consistent Procore and run side by side: readers see a snapshot
(WAL), writers take SQLite's write lock up front, and the writers of one process queue for it on
a lock of their own. ``:memory:`` state has one shared connection, so its transactions take turns
behind a lock.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

ID_BASE = 5_000_000_000
ID_STRIDE = 10_000_000
# One lock per state file for the writers of this process (see `Store._turn`), shared by every store on it.
_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_LOCK = threading.Lock()

# Each kind has its own id range so an id of one kind never names a record of another.
KINDS: tuple[str, ...] = (
    "company",
    "user",
    "project",
    "vendor",
    "person",
    "standard_cost_code_list",
    "standard_cost_code",
    "cost_code",
    "work_classification",
    "timecard_time_type",
    "crew",
    "manpower_log",
    "quantity_log",
    "timecard_entry",
    "timesheet",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    company_id INTEGER,
    project_id INTEGER,
    date TEXT,
    updated_at TEXT,
    deleted_at TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS records_project_date ON records (kind, project_id, date);
CREATE INDEX IF NOT EXISTS records_company ON records (kind, company_id);
CREATE TABLE IF NOT EXISTS sequences (kind TEXT PRIMARY KEY, next_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_record ON history (kind, record_id);
CREATE TABLE IF NOT EXISTS tokens (
    access_token TEXT PRIMARY KEY,
    refresh_token TEXT UNIQUE,
    client_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    grant_type TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS codes (
    code TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    created_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stats (key TEXT PRIMARY KEY, count INTEGER NOT NULL);
-- Older state files kept per-token budgets; budgets are per connection now (emulator.ratelimit).
DROP TABLE IF EXISTS rate_windows;
CREATE TABLE IF NOT EXISTS rate_budgets (
    connection TEXT NOT NULL,
    window TEXT NOT NULL,
    started REAL NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (connection, window)
);
"""

_INDEXED = ("company_id", "project_id", "date", "updated_at", "deleted_at")


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


class Tx:
    """One open transaction: record access by kind and id, plus the small side tables."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._memo: dict[tuple[str, int], dict[str, Any] | None] = {}

    # -- ids ---------------------------------------------------------------------------------
    def next_id(self, kind: str) -> int:
        row = self.conn.execute("SELECT next_id FROM sequences WHERE kind = ?", (kind,)).fetchone()
        value = row[0] if row else ID_BASE + KINDS.index(kind) * ID_STRIDE + 1
        self.conn.execute(
            "INSERT INTO sequences (kind, next_id) VALUES (?, ?) "
            "ON CONFLICT(kind) DO UPDATE SET next_id = excluded.next_id",
            (kind, value + 1),
        )
        return int(value)

    # -- records -----------------------------------------------------------------------------
    def insert(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        if "id" not in record:
            record["id"] = self.next_id(kind)
        self.conn.execute(
            "INSERT INTO records (kind, id, company_id, project_id, date, updated_at, deleted_at, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, record["id"], *(record.get(k) for k in _INDEXED), _dumps(record)),
        )
        self._memo[(kind, record["id"])] = record
        return record

    def save(self, kind: str, record: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE records SET company_id = ?, project_id = ?, date = ?, updated_at = ?,"
            " deleted_at = ?, data = ? WHERE kind = ? AND id = ?",
            (*(record.get(k) for k in _INDEXED), _dumps(record), kind, record["id"]),
        )
        self._memo[(kind, record["id"])] = record

    def get(self, kind: str, record_id: Any, *, include_deleted: bool = False) -> dict[str, Any] | None:
        try:
            key = (kind, int(record_id))
        except (TypeError, ValueError):
            return None
        if key not in self._memo:
            row = self.conn.execute(
                "SELECT data FROM records WHERE kind = ? AND id = ?", key
            ).fetchone()
            self._memo[key] = json.loads(row[0]) if row else None
        record = self._memo[key]
        if record is None or (record.get("deleted_at") and not include_deleted):
            return None
        return record

    def query(
        self,
        kind: str,
        *,
        company_id: int | None = None,
        project_id: int | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        deleted: bool | None = False,
    ) -> list[dict[str, Any]]:
        """Records of one kind, ordered by id; ``deleted`` False=live only, True=deleted only, None=all."""
        sql = ["SELECT data FROM records WHERE kind = ?"]
        args: list[Any] = [kind]
        for column, value in (("company_id", company_id), ("project_id", project_id)):
            if value is not None:
                sql.append(f"AND {column} = ?")
                args.append(value)
        if date_from is not None:
            sql.append("AND date >= ?")
            args.append(date_from)
        if date_to is not None:
            sql.append("AND date <= ?")
            args.append(date_to)
        if deleted is False:
            sql.append("AND deleted_at IS NULL")
        elif deleted is True:
            sql.append("AND deleted_at IS NOT NULL")
        sql.append("ORDER BY id")
        rows = self.conn.execute(" ".join(sql), args).fetchall()
        records = [json.loads(row[0]) for row in rows]
        for record in records:
            self._memo.setdefault((kind, record["id"]), record)
        return records

    def clear_records(self) -> None:
        for table in ("records", "sequences", "history", "stats", "rate_budgets"):
            self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        self._memo.clear()

    # -- change history ------------------------------------------------------------------------
    def add_history(self, kind: str, record_id: int, entries: Iterable[dict[str, Any]]) -> None:
        self.conn.executemany(
            "INSERT INTO history (kind, record_id, data) VALUES (?, ?, ?)",
            [(kind, record_id, _dumps(entry)) for entry in entries],
        )

    def history(self, kind: str, record_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT data FROM history WHERE kind = ? AND record_id = ? ORDER BY seq",
            (kind, record_id),
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    # -- key/value ----------------------------------------------------------------------------
    def kv_get(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def kv_set(self, key: str, value: Any) -> None:
        self.conn.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, _dumps(value)),
        )

    # -- stats ---------------------------------------------------------------------------------
    def count_request(self, key: str) -> None:
        self.conn.execute(
            "INSERT INTO stats (key, count) VALUES (?, 1) "
            "ON CONFLICT(key) DO UPDATE SET count = count + 1",
            (key,),
        )

    def stats(self) -> dict[str, int]:
        return {k: int(c) for k, c in self.conn.execute("SELECT key, count FROM stats ORDER BY key")}

    def clear_stats(self) -> None:
        self.conn.execute("DELETE FROM stats")


class _Held:
    """One thread's open connection to a state file (dropped, and so closed, when the thread ends)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn: sqlite3.Connection | None = conn


class Store:
    """Opens transactions on the emulator's state (a SQLite file or a private in-memory database)."""

    def __init__(self, state: str, *, busy_wait: float = 30.0) -> None:
        """`busy_wait`: how many seconds a writer waits for the write lock a writer of another process holds."""
        self.state = state
        self.busy_wait = busy_wait
        self.memory = state == ":memory:"
        self._lock = threading.RLock()
        self._shared: sqlite3.Connection | None = None
        self._local = threading.local()
        self._held: weakref.WeakSet[_Held] = weakref.WeakSet()
        self._writers = self._lock if self.memory else _writers_of(state)
        if not self.memory:
            os.makedirs(os.path.dirname(os.path.abspath(state)), exist_ok=True)
        with self._lock:
            conn = self._open()
            if not self.memory:
                conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    def _open(self) -> sqlite3.Connection:
        """This thread's connection: opened once per thread and kept, since opening one (and closing
        the last one, which checkpoints the WAL) cost more than the transaction it served."""
        if self.memory:
            if self._shared is None:
                self._shared = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            return self._shared
        held: _Held | None = getattr(self._local, "held", None)
        if held is not None and held.conn is not None:
            return held.conn
        conn = sqlite3.connect(self.state, timeout=self.busy_wait, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_wait * 1000)}")
        conn.execute("PRAGMA synchronous = NORMAL")
        held = _Held(conn)
        self._local.held = held
        with self._lock:
            self._held.add(held)
        return conn

    def _discard(self, conn: sqlite3.Connection) -> None:
        """Forget this thread's connection after a failure that may have left it unusable (a file's only)."""
        if self.memory:
            return
        held: _Held | None = getattr(self._local, "held", None)
        if held is not None and held.conn is conn:
            held.conn = None
        conn.close()

    def _turn(self, write: bool) -> AbstractContextManager[Any]:
        """The lock around a transaction. The one shared in-memory connection takes turns. On a file, this
        process's writers queue on a lock of their own before asking SQLite for its write lock: a writer that
        meets SQLite's lock held sleeps in its busy handler for 1, 2, 5, 10, then up to 100 ms at a time,
        which under a few concurrent requests cost more than the writes; a lock wakes the next one at once.
        Writers in other processes still wait in the busy handler; readers never wait (WAL)."""
        return self._writers if self.memory or write else nullcontext()

    @contextmanager
    def tx(self, *, write: bool = False) -> Iterator[Tx]:
        """A transaction; writers take the lock up front (BEGIN IMMEDIATE) so they never deadlock."""
        with self._turn(write):
            conn = self._open()
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Tx(conn)
            except BaseException:
                try:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                except sqlite3.Error:
                    self._discard(conn)
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error:
                self._discard(conn)
                raise

    def close(self) -> None:
        """Close every connection this store opened; a thread that uses the store later opens anew."""
        with self._lock:
            if self._shared is not None:
                self._shared.close()
                self._shared = None
            for held in list(self._held):
                if held.conn is not None:
                    held.conn.close()
                    held.conn = None


def _writers_of(state: str) -> threading.RLock:
    """The writers' lock of the state file `state` in this process."""
    path = os.path.realpath(state)
    with _WRITERS_LOCK:
        return _WRITERS.setdefault(path, threading.RLock())
