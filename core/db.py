"""The database: one engine per URL, schema brought to head by Alembic, a session per action."""

from __future__ import annotations

import io
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from alembic import command
from alembic.config import Config
from sqlalchemy import Dialect, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Session, create_engine

from core.postgres_costs import random_page_cost_set
from core.postgres_load import keys_and_indexes_set_aside
from core.sqlite_checkpoints import checkpoint_later, owed_checkpoint_started

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

BULK_PART = 100_000  # rows turned into tuples at a time by `bulk_insert` on SQLite
_CSV_PART = 20_000  # rows turned into CSV text at a time for COPY (larger parts only hold more memory)
_REBUILD_MIN_ROWS = 10_000  # fewer rows than this never rebuild indexes
_CONSTANT_MIN_ROWS = 1_000  # fewer rows bind every column (looking for constant ones would not pay)
_BULK_CACHE_KIB = -131_072  # SQLite's page cache during a bulk load: 128 MiB (negative: KiB)
ARROW_MIN_ROWS = 10_000  # a SQLite load this large is written from Arrow columns into a scratch file and copied
_SCRATCH_PREFIX = "bulk_load_"  # the scratch databases such loads attach, and their files' names

_engines: dict[str, Engine] = {}
_migrated: set[str] = set()
_lock = threading.Lock()


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants as UTC and always hands back timezone-aware UTC datetimes.

    SQLite has no time zone support, so a naive value there is taken as UTC.
    A naive value coming *in* is refused: every instant in this product is explicit.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given where a UTC instant is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # No fsync per commit (WAL's recommended level): a commit survives a killed process, only a power cut
    # may lose the last ones, which a publish finds again in Procore. Each fsync cost 4 ms, and a publish
    # commits once per entry: two workers on one file waited on each other's fsyncs.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """A new engine for `url`; SQLite gets foreign keys, WAL and a busy timeout, PostgreSQL a planner that knows
    random reads are cheap unless its server says otherwise (`core.postgres_costs`).

    Every engine notes which connections hold uncommitted writes (`has_uncommitted_writes`).
    """
    if url.startswith("sqlite"):
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        else:
            Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        event.listen(engine.pool, "checkin", _scratch_loads_detached)
        event.listen(engine.pool, "checkin", owed_checkpoint_started)
    else:
        engine = create_engine(url, pool_pre_ping=True)
        event.listen(engine, "connect", random_page_cost_set)
    _track_writes(engine)
    return engine


_WRITES = "uncommitted_writes"
_READS = ("SELECT", "PRAGMA", "SHOW", "EXPLAIN")


def has_uncommitted_writes(connection: Connection) -> bool:
    """Whether `connection`'s transaction has written anything not yet committed.

    A reader on another connection (see `core.aggregation.columnar`) would not
    see those writes. Statements other than plain reads count as writes, so the
    answer errs towards True; it is False again after commit or rollback.
    """
    return bool(connection.info.get(_WRITES))


def _track_writes(engine: Engine) -> None:
    def note(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_READS):
            connection.info[_WRITES] = True

    def forget(connection: Connection) -> None:
        connection.info.pop(_WRITES, None)

    def forget_on_reset(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        connection_record.info.pop(_WRITES, None)

    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "commit", forget)
    event.listen(engine, "rollback", forget)
    event.listen(engine.pool, "reset", forget_on_reset)


def get_engine(url: str) -> Engine:
    """The process-wide engine for `url`, created on first use."""
    with _lock:
        if url not in _engines:
            _engines[url] = create_db_engine(url)
        return _engines[url]


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration pointing at our migrations, bound to `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent, once per engine per process)."""
    key = str(engine.url)
    with _lock:
        if key in _migrated and key != "sqlite://":
            return
        command.upgrade(alembic_config(engine), "head")
        _migrated.add(key)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One session for one action: committed on success, rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def bulk_insert(connection: Connection, table_name: str, frame: pd.DataFrame) -> int:
    """Insert a frame's rows into `table_name` as fast as the database allows.

    SQLite gets a load of ARROW_MIN_ROWS rows or more written from Arrow columns into
    a scratch file and copied by one `INSERT … SELECT`, its commit leaving the copy of
    the write-ahead log back into the database to a thread (`core.sqlite_checkpoints`);
    a smaller one gets `executemany` of plain tuples. When the rows at least double the
    table, its secondary indexes are dropped for the load and built again after it (one
    sort instead of a B-tree insert per row), with a larger page cache for the load.
    PostgreSQL gets `COPY` of CSV text, its foreign keys
    and non-unique indexes set aside for a load that at least doubles the table
    (`core.postgres_load`). Datetime columns
    must hold timezone-aware UTC values; they are stored the way `UTCDateTime`
    stores them. Runs inside the caller's transaction. Returns the number of rows
    written.
    """
    if frame.empty:
        return 0
    quote = connection.dialect.identifier_preparer.quote
    if connection.dialect.name == "sqlite":
        if len(frame) >= ARROW_MIN_ROWS:
            checkpoint_later(connection)  # its commit returns without copying the log back
        with _sqlite_bulk_load(connection, table_name, len(frame)):
            if len(frame) < ARROW_MIN_ROWS or not _sqlite_loaded_through_arrow(connection, table_name, frame):
                _sqlite_loaded_by_rows(connection, table_name, frame)
        return len(frame)
    raw = connection.connection.driver_connection
    assert raw is not None  # an open connection always has its driver's
    columns = [quote(str(name)) for name in frame.columns]
    copy_sql = f"COPY {table_name} ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
    with keys_and_indexes_set_aside(connection, table_name, fills=_fills(connection, table_name, len(frame))), \
            raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for first in range(0, len(frame), _CSV_PART):  # in parts: each part's text is freed before the next
            copy.write(_csv_part(frame.iloc[first:first + _CSV_PART]))
    return len(frame)


def _sqlite_loaded_by_rows(connection: Connection, table_name: str, frame: pd.DataFrame) -> None:
    """The rows bound one by one (`executemany` of plain tuples), straight into the table or through a staged one."""
    quote = connection.dialect.identifier_preparer.quote
    with _sqlite_staged(connection, table_name, frame) as (target, staged, passed_on):
        names = [quote(str(name)) for name in staged.columns]
        placeholders = ", ".join("?" for _ in names)
        sql = f"INSERT INTO {target} ({', '.join(names)}) VALUES ({placeholders})"  # noqa: S608 - our own names
        for first in range(0, len(frame), BULK_PART):  # in parts: each part's tuples are freed before the next
            connection.exec_driver_sql(sql, _python_rows(staged.iloc[first:first + BULK_PART]))
            passed_on()


def _sqlite_loaded_through_arrow(connection: Connection, table_name: str, frame: pd.DataFrame) -> bool:
    """Load `frame` into `table_name` from a scratch database file that ADBC's SQLite driver writes from whole
    Arrow columns, attached to this connection and copied by one `INSERT … SELECT`. False, with nothing written,
    when a column's type has no exact SQLite form here or the connection cannot attach one more database.

    Python's `sqlite3` binds every value of every row through the interpreter: a week's 111,000 timecard entries
    took 0.92 s to turn into tuples and stage that way, 0.56 s written from their columns by the driver and copied.
    The driver links a SQLite of its own; it only ever opens the scratch file, and has closed it before this
    connection attaches it (two copies of SQLite holding one file in a process would not see each other's locks).
    The scratch file is detached and deleted once its transaction is over: when the connection goes back to the
    pool, or at the next such load on it (`_scratch_loads_detached`).
    """
    _scratch_loads_detached(connection.connection.driver_connection)  # those of transactions over: room to attach
    copy = _Copy.of(connection, frame)
    token = uuid.uuid4().hex
    path = Path(tempfile.gettempdir()) / f"{_SCRATCH_PREFIX}{token}.sqlite3"
    schema = f"{_SCRATCH_PREFIX}{token}"
    parts = (_arrow_part(copy.varying.iloc[first:first + BULK_PART])
             for first in range(0, len(copy.varying), BULK_PART))
    try:
        if not _scratch_written(path, parts):
            path.unlink(missing_ok=True)
            return False
        sqlite_transaction_begun(connection)
        connection.exec_driver_sql(f"ATTACH DATABASE ? AS {schema}", (str(path),))
    except BaseException as error:
        path.unlink(missing_ok=True)
        if isinstance(error, OperationalError) and "too many attached" in str(error):
            return False  # no room for one more attached database: the rows are bound one by one
        raise
    copy.run(connection, table_name, f"{schema}.rows")
    return True


def _arrow_part(frame: pd.DataFrame) -> pa.Table | None:
    """The rows as Arrow columns whose values SQLite stores as `executemany` would bind them (instants as
    `UTCDateTime` text, dates as ISO text, missing values NULL); None when a column holds anything else.

    Allocated by the C library's allocator, which hands each part's memory back once it is written: Arrow's
    default pool (mimalloc) kept it, and the whole refresh of a million time logs peaked 180 MiB higher.
    """
    pool = pa.system_memory_pool()
    columns = []
    for name in frame.columns:
        values = frame[name]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            columns.append(pa.array(_instant_texts(values), pa.string(), memory_pool=pool))
            continue
        try:
            column = pa.array(values, from_pandas=True, memory_pool=pool)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return None  # mixed or unknown values: bound one by one
        if pa.types.is_null(column.type):
            column = column.cast(pa.string(), memory_pool=pool)
        if not (pa.types.is_boolean(column.type) or pa.types.is_integer(column.type)
                or pa.types.is_floating(column.type) or pa.types.is_string(column.type)
                or pa.types.is_large_string(column.type) or pa.types.is_date32(column.type)):
            return None
        columns.append(column)
    return pa.table(columns, names=[str(name) for name in frame.columns])


def _scratch_written(path: Path, parts: Iterator[pa.Table | None]) -> bool:
    """A new SQLite file at `path` holding `parts` in a table `rows` whose columns declare no type (each value
    kept as written, whatever Arrow type a part's column took), with no journal: nothing in it outlives the load.
    Each part is made only when the one before is written (a large load's columns are not all held at once).
    False as soon as a part is None (a column Arrow cannot hold exactly)."""
    import adbc_driver_sqlite.dbapi as adbc_sqlite  # only a large SQLite load needs the driver

    with adbc_sqlite.connect(str(path), autocommit=True) as scratch, scratch.cursor() as cursor:
        for pragma in ("PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF"):
            cursor.execute(pragma)
            cursor.fetchall()
        for number, part in enumerate(parts):
            if part is None:
                return False
            if number == 0:
                names = ", ".join('"' + name.replace('"', '""') + '"' for name in part.column_names)
                cursor.execute(f"CREATE TABLE rows ({names})")  # noqa: S608 - the frame's own column names
            cursor.adbc_ingest("rows", part, mode="append")
    return True


def _scratch_loads_detached(dbapi_connection: Any, *_args: Any) -> None:
    """Detach the scratch files of finished bulk loads (`_sqlite_loaded_through_arrow`) and delete them; one whose
    transaction still runs stays attached."""
    if dbapi_connection is None:  # invalidated: its attachments went with it
        return
    for _, name, file in dbapi_connection.execute("PRAGMA database_list").fetchall():
        if str(name).startswith(_SCRATCH_PREFIX):
            try:
                dbapi_connection.execute(f"DETACH DATABASE {name}")
            except sqlite3.OperationalError:
                continue  # still read by an open transaction
            Path(file).unlink(missing_ok=True)


def _csv_part(frame: pd.DataFrame) -> memoryview:
    """The rows as CSV for PostgreSQL's COPY, written by Arrow from whole columns (a Python tuple per row took
    ten times the CPU). Every value is quoted and a missing one is not: COPY reads an unquoted empty field as
    NULL and a quoted one as the empty string. Instants are UTC with microseconds, as PostgreSQL keeps them."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    columns = [column.cast(pa.timestamp("us", tz="UTC"), safe=False) if pa.types.is_timestamp(column.type) else column
               for column in table.columns]
    text = io.BytesIO()
    pa_csv.write_csv(pa.table(columns, names=table.column_names), text,
                     pa_csv.WriteOptions(include_header=False, quoting_style="all_valid"))
    return text.getbuffer()


def _fills(connection: Connection, table_name: str, rows: int) -> bool:
    """Whether a load of `rows` rows at least doubles the table (and is large enough to rebuild indexes for)."""
    if rows < _REBUILD_MIN_ROWS:
        return False
    counted = text(f"SELECT count(*) FROM (SELECT 1 FROM {table_name} LIMIT :limit) AS kept")  # noqa: S608
    return rows >= int(connection.execute(counted, {"limit": rows + 1}).scalar_one())  # no counting past `rows`


@contextmanager
def _sqlite_staged(
    connection: Connection, table_name: str, frame: pd.DataFrame
) -> Iterator[tuple[str, pd.DataFrame, Callable[[], None]]]:
    """Where a bulk load writes each part of `frame`'s rows, which of its columns it writes there, and what passes
    a part on: `table_name` itself, every column, nothing to pass on; or, when the table has triggers or a large
    load's table has foreign keys (`_stages`), a temporary table whose rows go on in one `INSERT … SELECT` per part.

    By `executemany`, each row is a statement of its own, and SQLite's work per statement is paid per row: a row
    trigger cost 25–35 µs per row that way (3–4 s for 111,000 publish entries); a table with foreign keys and a
    unique index, about 2 µs (a week's 111,227 time logs: 2.00 s direct, 1.75 s staged, medians of 5).
    Staged, a column holding one value in every row of a large load (the module, the version, the instant of a
    refresh) is not bound row by row either: the `INSERT … SELECT` names its value once.
    """
    if not _stages(connection, table_name, len(frame)):
        yield table_name, frame, lambda: None
        return
    copy = _Copy.of(connection, frame)
    staged = f"temp.staged_{table_name}"

    def passed_on() -> None:
        copy.run(connection, table_name, staged)
        connection.exec_driver_sql(f"DELETE FROM {staged}")  # noqa: S608 - our own names

    sqlite_transaction_begun(connection)  # a failed load rolls the staged table back too
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {staged}")
    connection.exec_driver_sql(f"CREATE TABLE {staged} AS SELECT {copy.names} FROM {table_name} WHERE 0")  # noqa: S608
    try:
        yield staged, copy.varying, passed_on
    finally:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {staged}")


class _Copy(NamedTuple):
    """How one `INSERT … SELECT` copies a large frame's rows from where they were put: the columns holding one value
    in every row (the module, the version, the instant of a refresh) are not written row by row but named once."""

    varying: pd.DataFrame  # the columns written row by row, in the frame's order
    names: str  # those columns, quoted, as the copy reads them
    targets: str  # every column, quoted, as the copy writes them
    chosen: str  # what the copy selects: the varying columns, then a parameter per constant one
    value: tuple[Any, ...]  # the constant columns' values

    @classmethod
    def of(cls, connection: Connection, frame: pd.DataFrame) -> _Copy:
        quote = connection.dialect.identifier_preparer.quote
        constant = _constant_columns(frame)[:len(frame.columns) - 1]  # a row put aside keeps at least one column
        varying = frame.drop(columns=constant)
        names = ", ".join(quote(str(name)) for name in varying.columns)
        return cls(varying, names, ", ".join(quote(str(name)) for name in [*varying.columns, *constant]),
                   ", ".join([names, *("?" for _ in constant)]),
                   _python_rows(frame[constant].iloc[:1])[0] if constant else ())

    def run(self, connection: Connection, table_name: str, source: str) -> None:
        sql = f"INSERT INTO {table_name} ({self.targets}) SELECT {self.chosen} FROM {source}"  # noqa: S608 - ours
        connection.exec_driver_sql(f"{sql} ORDER BY rowid", self.value)


def _stages(connection: Connection, table_name: str, rows: int) -> bool:
    """Whether a SQLite load goes through a temporary table: into a table with triggers, or a load of
    _CONSTANT_MIN_ROWS rows or more into a table with foreign keys."""
    def scalar(sql: str) -> int:
        return int(connection.exec_driver_sql(sql, (table_name,)).scalar_one())

    if scalar("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?"):
        return True
    return rows >= _CONSTANT_MIN_ROWS and bool(scalar("SELECT count(*) FROM pragma_foreign_key_list(?)"))


def _constant_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of a large frame (_CONSTANT_MIN_ROWS rows or more) holding the same value, or none, in every row:
    a bulk write names their value once rather than binding it row by row (none for a smaller frame)."""
    if len(frame) < _CONSTANT_MIN_ROWS:
        return []
    spots = np.linspace(0, len(frame) - 1, 16, dtype=np.int64)  # most columns differ there: a look at 16 rows
    found = []
    for name in frame.columns:
        values = frame[name]
        sample = values.iloc[spots]
        if sample.isna().all():
            if values.isna().all():
                found.append(str(name))
        elif sample.notna().all() and bool((sample == sample.iloc[0]).all()) and not values.isna().any() \
                and bool((values == values.iloc[0]).all()):
            found.append(str(name))
    return found


@contextmanager
def _sqlite_bulk_load(connection: Connection, table_name: str, rows: int) -> Iterator[None]:
    """A bulk load of `rows` rows: a larger page cache, and the secondary indexes that enforce nothing (not unique)
    built again after it when the rows at least double the table, inside the transaction (a failure rolls the drop
    back too)."""
    def scalar(sql: str) -> Any:
        return connection.exec_driver_sql(sql).scalar()

    cache = scalar("PRAGMA cache_size")
    connection.exec_driver_sql(f"PRAGMA cache_size={_BULK_CACHE_KIB}")
    indexes: list[tuple[str, str]] = []
    if _fills(connection, table_name, rows):
        indexes = [(str(name), str(sql)) for name, sql in connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM pragma_index_list(?) WHERE name = sqlite_master.name AND \"unique\")",
            (table_name, table_name))]
    if indexes:
        sqlite_transaction_begun(connection)  # the drop must not commit alone
    try:
        for name, _ in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
        yield
        for _, sql in indexes:
            connection.exec_driver_sql(sql)
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")


def sqlite_transaction_begun(connection: Connection) -> None:
    """Begin a write transaction on a SQLite connection that has none open: Python's sqlite3 opens none before
    DDL, which would then commit alone, outside the caller's work.

    IMMEDIATE takes the write lock now, waiting for it as long as the busy timeout allows. A deferred BEGIN
    followed by a read (a staged table is made from the target's columns) holds a snapshot; when another
    connection commits before the first write, SQLite cannot move that snapshot on and fails at once with
    "database is locked" instead of waiting.
    """
    raw = connection.connection.driver_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _python_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The rows as tuples of Python values, missing ones None, made column by column (no per-value checks);
    datetimes as `UTCDateTime` text (SQLite)."""
    converted = []
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            converted.append(_instant_texts(values))
        else:
            plain = values.to_numpy(dtype=object)
            missing = values.isna().to_numpy()
            if missing.any():
                plain = plain.copy()  # an object column's own array comes back read-only
                plain[missing] = None
            converted.append(plain.tolist())
    return list(zip(*converted, strict=True))


def _instant_texts(values: pd.Series) -> list[str | None]:
    """Timezone-aware instants as SQLite stores a `UTCDateTime`, each distinct instant formatted once."""
    codes, instants = pd.factorize(values.dt.tz_convert("UTC"))
    texts = np.array([*instants.strftime("%Y-%m-%d %H:%M:%S.%f"), None], dtype=object)
    return list(texts[codes].tolist())  # code -1 (missing) takes the last one, None
