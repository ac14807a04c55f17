"""The database: one engine per URL, schema brought to head by Alembic, a session per action."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import Dialect, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

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
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """A new engine for `url`; SQLite gets foreign keys, WAL and a busy timeout.

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
    else:
        engine = create_engine(url, pool_pre_ping=True)
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

    SQLite gets one `executemany` of plain tuples; PostgreSQL gets `COPY`.
    Datetime columns must hold timezone-aware UTC values; they are stored the
    way `UTCDateTime` stores them. Runs inside the caller's transaction.
    Returns the number of rows written.
    """
    if frame.empty:
        return 0
    quote = connection.dialect.identifier_preparer.quote
    columns = [quote(str(name)) for name in frame.columns]
    if connection.dialect.name == "sqlite":
        rows = _sqlite_rows(frame)
        placeholders = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table_name} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - our own names
        connection.exec_driver_sql(sql, rows)
        return len(rows)
    raw = connection.connection.driver_connection
    assert raw is not None  # an open connection always has its driver's
    with raw.cursor() as cursor, cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in frame.itertuples(index=False, name=None):
            copy.write_row(tuple(None if _is_missing(value) else value for value in row))
    return len(frame)


def _sqlite_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    converted = {}
    for name, column in frame.items():
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            text = column.dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M:%S.%f")
            converted[name] = text.astype(object).where(column.notna(), None)
        else:
            converted[name] = column.astype(object).where(column.notna(), None)
    return list(zip(*converted.values(), strict=True))


def _is_missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (containers and text are never missing as a whole)."""
    if value is None:
        return True
    if isinstance(value, (str, bytes, list, dict, tuple)):
        return False
    return bool(pd.isna(value))
