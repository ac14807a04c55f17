"""Reads the time clock's rows that aggregation works on, as DataFrames (the only I/O of the package).

Only live rows count (`deleted_at IS NULL`) and only closed time logs
(`clock_out IS NOT NULL`: a log still clocked in has no worked time yet).
A time log's date is given by the date rule in `core.timeclock.rules`.
Inside `shared_reads()`, a range's time logs are read once for every module.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import ColumnElement, Float, Select, String, Table, and_, cast, func, or_, select, type_coerce
from sqlmodel import Session

from core.aggregation.columnar import (
    PendingTables,
    Result,
    parallel_readers,
    read_table,
    read_tables_ahead,
    release_unused_memory,
)
from core.aggregation.rounding import MICROS_PER_MINUTE
from core.models import JobSite, ProductionQuantity, TimeLog
from core.timeclock.rules import local_days, local_to_utc

TIME_LOG_SOURCE_COLUMNS = [
    "job_site_id", "work_date", "employee_id", "company_id", "crew_id",
    "pay_id_id", "cost_code_id", "pay_class_id", "clock_in", "worked_micros",
]
QUANTITY_SOURCE_COLUMNS = ["job_site_id", "work_date", "cost_code_id", "unit_of_measure", "units"]
_ID_COLUMNS = ["job_site_id", "employee_id", "company_id", "pay_id_id"]
_OPTIONAL_ID_COLUMNS = ["crew_id", "cost_code_id", "pay_class_id"]
_RAW_SCHEMA = pa.schema(
    [pa.field(name, pa.int64(), nullable=False) for name in _ID_COLUMNS]
    + [pa.field(name, pa.int64()) for name in _OPTIONAL_ID_COLUMNS]
    + [pa.field(name, pa.timestamp("us", tz="UTC"), nullable=False) for name in ("clock_in", "clock_out")]
    + [pa.field("break_minutes", pa.int64(), nullable=False)]
)
_QUANTITY_SCHEMA = pa.schema([
    pa.field("job_site_id", pa.int64(), nullable=False), pa.field("work_date", pa.date32(), nullable=False),
    pa.field("cost_code_id", pa.int64(), nullable=False), pa.field("unit_of_measure", pa.string(), nullable=False),
    pa.field("units", pa.float64(), nullable=False),
])
JobSiteDay = tuple[int, date]  # a job site's id and a date
_NULLABLE_INT = {pa.int64(): pd.Int64Dtype()}
_DAYS_PER_READER = 7
_BULK_SITE_DAYS = 300  # a day of 300 job sites, or ten days of thirty: thousands of time logs
_HUGE_SITE_DAYS = 3000  # ten days of 300 job sites: a hundred thousand time logs and more in the demo world
# Read ahead, a child process's start is hidden behind the stored entries' read from five days of 300 job sites
# (about 85,000 time logs, 0.4 s through the cursor); for a day or two it would still show.
_AHEAD_SITE_DAYS = 1500
_ReadKey = tuple[str, str, date, date, frozenset[int] | None]  # what, database, range, job sites
_SHARED: ContextVar[dict[_ReadKey, pd.DataFrame | _TimeLogRead] | None] = ContextVar("shared_time_log_reads",
                                                                                default=None)
_LOGS: Table = TimeLog.__table__  # type: ignore[attr-defined]
_SITES: Table = JobSite.__table__  # type: ignore[attr-defined]
_QUANTITIES: Table = ProductionQuantity.__table__  # type: ignore[attr-defined]


def load_time_logs(
    session: Session, *, start: date, end: date, job_site_ids: Collection[int] | None = None,
    days: Collection[JobSiteDay] | None = None,
) -> pd.DataFrame:
    """Live, closed time logs whose work date lies in [start, end], ready for aggregation.

    Returns one row per log with TIME_LOG_SOURCE_COLUMNS: ids (nullable ones as
    Int64), `work_date` (a `date`), `clock_in` (UTC) and `worked_micros`
    (clock-out minus clock-in minus break, whole microseconds). The rows are
    read as Arrow columns (`core.aggregation.columnar`), in slices of the range
    at once when it spans more than a week. `days` (job sites and dates within
    the range and job sites) narrows the read to the logs of exactly those days:
    an incremental refresh reads what a few edits touched, not their month.
    """
    shared = _SHARED.get()
    if days is not None:
        return _read_days(session, days, start, end)
    if shared is None:
        return _read_time_logs(session, start=start, end=end, job_site_ids=job_site_ids)()
    key = _read_key("time logs", session, start, end, job_site_ids)
    found = shared.get(key)
    if found is None:
        found = _read_time_logs(session, start=start, end=end, job_site_ids=job_site_ids)()
    elif not isinstance(found, pd.DataFrame):  # read ahead: its rows are being read meanwhile
        found = found()
    shared[key] = found
    return found.copy(deep=False)


def _read_key(kind: str, session: Session, start: date, end: date, job_site_ids: Collection[int] | None) -> _ReadKey:
    sites = None if job_site_ids is None else frozenset(job_site_ids)
    return kind, str(session.connection().engine.url), start, end, sites


@contextmanager
def shared_reads() -> Iterator[None]:
    """Within this block, `load_time_logs` reads each range once and hands the same rows to every module.

    For work that writes no time logs or quantities meanwhile, such as refreshing every module's entries of a
    range (`core.publishing.refresh.refresh_modules`): manpower and timecards then share one read, and a
    child process reading a huge range of time logs reads its production quantities beside them. A block
    inside another shares the outer block's reads.
    """
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        pending = [read for read in (_SHARED.get() or {}).values() if not isinstance(read, pd.DataFrame)]
        _SHARED.reset(token)
        for read in pending:  # read ahead and never used (the work stopped first): its reader is let finish
            read.abandon()


def read_ahead(
    session: Session, loader: Callable[..., pd.DataFrame], *, start: date, end: date,
    job_site_ids: Collection[int] | None = None, days: Collection[JobSiteDay] | None = None,
) -> None:
    """Inside `shared_reads()`, starts reading the rows `loader` (a module's) will ask for, where they are read
    outside the session: the session can read something else meanwhile, such as the stored entries a refresh
    compares them with.

    Only a range's time logs are read ahead, by ADBC (PostgreSQL) or by the child process (a SQLite file). Read
    ahead, the child's start (about 0.4 s when no spare child is waiting: `sqlite_child`) is hidden behind the
    session's own read, so from five days of 300 job sites the time logs go to it (a week's took 0.53 s through
    the cursor). Otherwise they are read when asked for, through the session, as before.
    """
    shared = _SHARED.get()
    if shared is None or loader is not load_time_logs or days is not None:
        return
    key = _read_key("time logs", session, start, end, job_site_ids)
    if key not in shared:
        shared[key] = _read_time_logs(session, start=start, end=end, job_site_ids=job_site_ids, ahead=True)


class _TimeLogRead:
    """A range's time logs being read: called, it waits for them and returns the source frame."""

    def __init__(self, reading: PendingTables | None, zones: dict[int, str], start: date, end: date,
                 quantities: _ReadKey | None) -> None:
        self._reading, self._zones, self._start, self._end, self._quantities = reading, zones, start, end, quantities

    def __call__(self) -> pd.DataFrame:
        tables = self._reading.tables() if self._reading is not None else [_RAW_SCHEMA.empty_table()]
        frame = _source_frame(tables[0], self._zones, self._start, self._end)
        shared = _SHARED.get()
        if shared is not None and self._quantities is not None and len(tables) > 1:
            shared[self._quantities] = tables[1].to_pandas()
        del tables
        release_unused_memory()
        return frame

    def abandon(self) -> None:
        """Wait for a reader still reading outside the session and drop what it read."""
        if self._reading is not None:
            self._reading.settle()


def _read_time_logs(
    session: Session, *, start: date, end: date, job_site_ids: Collection[int] | None, ahead: bool = False,
) -> _TimeLogRead:
    zones = _site_zones(session, job_site_ids)
    if not zones:
        return _TimeLogRead(None, {}, start, end, None)
    low, high = _utc_window(start, end, set(zones.values()))
    slices = parallel_readers() if (end - start).days >= _DAYS_PER_READER else 1
    as_text = session.connection().dialect.name == "sqlite"
    queries = [_time_log_query(_clock_ins(*bounds, job_site_ids), as_text=as_text)
               for bounds in _slices(low, high, slices)]
    results: list[Result] = [(queries, _RAW_SCHEMA)]
    bulk, shared = _is_bulk(len(zones), start, end), _SHARED.get()
    huge = _is_bulk(len(zones), start, end, _HUGE_SITE_DAYS)
    quantities = None
    if huge and shared is not None:  # the child reads them side by side for free; the cursor would take a while
        results.append(([_quantity_query(start, end, job_site_ids)], _QUANTITY_SCHEMA))
        quantities = _read_key("quantities", session, start, end, job_site_ids)
    ahead_in_child = ahead and _is_bulk(len(zones), start, end, _AHEAD_SITE_DAYS)
    reading = read_tables_ahead(session, results, bulk=bulk, huge=huge or ahead_in_child, ahead=ahead)
    return _TimeLogRead(reading, zones, start, end, quantities)


def _read_days(session: Session, days: Collection[JobSiteDay], start: date, end: date) -> pd.DataFrame:
    """The logs of exactly `days`: one query naming each day's own window of clock-ins at its job site."""
    zones = _site_zones(session, {site for site, _ in days})
    wanted = sorted((int(site), day) for site, day in set(days) if int(site) in zones)
    if not wanted:
        return _source_frame(_RAW_SCHEMA.empty_table(), {}, start, end)
    columns = _LOGS.c
    windows = [(site, *_utc_window(day, day, {zones[site]})) for site, day in wanted]
    where = or_(*(and_(columns.job_site_id == site, columns.clock_in >= low, columns.clock_in < high)
                  for site, low, high in windows))
    as_text = session.connection().dialect.name == "sqlite"
    table = read_table(session, [_time_log_query(where, as_text=as_text)], _RAW_SCHEMA, bulk=False, huge=False)
    return _source_frame(table, zones, start, end)


def _is_bulk(job_sites: int, start: date, end: date, site_days: int | None = None) -> bool:
    """Whether a range likely holds enough rows for a bulk read to pay off (`columnar.read_table`)."""
    return job_sites * ((end - start).days + 1) >= (_BULK_SITE_DAYS if site_days is None else site_days)


def _site_zones(session: Session, job_site_ids: Collection[int] | None) -> dict[int, str]:
    query = select(_SITES.c.id, _SITES.c.time_zone)
    if job_site_ids is not None:
        query = query.where(_SITES.c.id.in_(list(job_site_ids)))
    return {int(site_id): str(name) for site_id, name in session.connection().execute(query).all()}


def _utc_window(start: date, end: date, zones: set[str]) -> tuple[datetime, datetime]:
    """The UTC instants between which every clock-in dated [start, end] at these zones falls."""
    first = datetime.combine(start, time.min)
    after = datetime.combine(end + timedelta(days=1), time.min)
    low = min(local_to_utc(first, name) for name in zones)
    high = max(local_to_utc(after, name) for name in zones)
    return low, high


def _slices(low: datetime, high: datetime, count: int) -> list[tuple[datetime, datetime]]:
    """[low, high) cut into `count` consecutive spans of (nearly) equal length, whole seconds apart."""
    step = timedelta(seconds=max(1, int((high - low).total_seconds()) // count))
    cuts = [low + step * number for number in range(1, count)] if count > 1 else []
    edges = [low, *(cut for cut in cuts if cut < high), high]
    return list(pairwise(edges))


def _time_log_query(where: ColumnElement[bool], *, as_text: bool = False) -> Select[Any]:
    """The closed, live time logs `where` holds. Instants come back as stored and are converted by Arrow in one
    go. `as_text` (SQLite) reads them as plain text: a columnar reader would otherwise parse each DATETIME on
    its own, which costs more than Arrow's cast."""
    columns = _LOGS.c
    instant = cast if as_text else type_coerce
    return select(
        *(columns[name] for name in _ID_COLUMNS + _OPTIONAL_ID_COLUMNS),
        instant(columns.clock_in, String), instant(columns.clock_out, String), columns.break_minutes,
    ).where(columns.deleted_at.is_(None), columns.clock_out.is_not(None), where)


def _clock_ins(low: datetime, high: datetime, job_site_ids: Collection[int] | None) -> ColumnElement[bool]:
    """Clock-ins in [low, high) (at `job_site_ids`)."""
    columns = _LOGS.c
    where = and_(columns.clock_in >= low, columns.clock_in < high)
    if job_site_ids is not None:
        where = and_(where, columns.job_site_id.in_(sorted(int(site) for site in job_site_ids)))
    return where


def _source_frame(table: pa.Table, zones: dict[int, str], start: date, end: date) -> pd.DataFrame:
    """The source frame from raw Arrow columns; rows dated outside [start, end] are left out."""
    sites = table["job_site_id"].to_numpy()
    clock_in = _micros(table["clock_in"])
    worked = _micros(table["clock_out"]) - clock_in - table["break_minutes"].to_numpy() * MICROS_PER_MINUTE
    names = sorted(set(zones.values()))
    site_ids = np.fromiter(zones, dtype=np.int64, count=len(zones))
    site_zones = np.array([names.index(zones[site]) for site in zones], dtype=np.int64)
    order = np.argsort(site_ids)
    codes = site_zones[order][np.searchsorted(site_ids[order], sites)] if len(sites) else sites
    days = local_days(clock_in, codes, names)
    keep = (days >= np.datetime64(start, "D")) & (days <= np.datetime64(end, "D"))
    ids = table.select(_ID_COLUMNS + _OPTIONAL_ID_COLUMNS).to_pandas(types_mapper=_NULLABLE_INT.get)
    frame = ids.astype({name: "int64" for name in _ID_COLUMNS})[keep].reset_index(drop=True)
    frame["work_date"] = _shared_dates(days[keep])
    frame["clock_in"] = pd.array(clock_in[keep].view("datetime64[us]"), dtype="datetime64[us]").tz_localize("UTC")
    frame["worked_micros"] = worked[keep]
    source: pd.DataFrame = frame[TIME_LOG_SOURCE_COLUMNS]
    return source


def _shared_dates(days: np.ndarray) -> np.ndarray:
    """`datetime64[D]` days as `date` objects, one object per distinct day shared by its rows (a range holds a few
    dozen days, its rows a million: hashing and grouping them is then cheaper, and they take no memory per row)."""
    codes, distinct = pd.factorize(days.view(np.int64))
    objects = distinct.view("datetime64[D]").astype(object)
    dates: np.ndarray = objects[codes] if len(days) else days.astype(object)
    return dates


def _micros(column: pa.ChunkedArray) -> np.ndarray:
    """UTC instants as int64 microseconds."""
    micros: np.ndarray = column.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()).to_numpy()
    return micros


def load_production_quantities(
    session: Session, *, start: date, end: date, job_site_ids: Collection[int] | None = None,
    days: Collection[JobSiteDay] | None = None,
) -> pd.DataFrame:
    """Live production quantities dated within [start, end], with QUANTITY_SOURCE_COLUMNS (of exactly `days`
    when given, as `load_time_logs`)."""
    shared = _SHARED.get()
    key = _read_key("quantities", session, start, end, job_site_ids)
    found = shared.get(key) if days is None and shared is not None else None
    if isinstance(found, pd.DataFrame):  # read beside the range's time logs
        return found.copy(deep=False)
    query, bulk = _quantity_query(start, end, job_site_ids), False
    if days is not None:
        columns = _QUANTITIES.c
        query = query.where(or_(*(and_(columns.job_site_id == int(site), columns.date == day)
                                  for site, day in sorted(set(days)))))
    else:
        bulk = _is_bulk(len(job_site_ids) if job_site_ids is not None else _site_count(session), start, end)
    # A tenth as many rows as the time logs: on SQLite the cursor reads them before a child process has started.
    quantities: pd.DataFrame = read_table(session, [query], _QUANTITY_SCHEMA, bulk=bulk, huge=False).to_pandas()
    return quantities


def _quantity_query(start: date, end: date, job_site_ids: Collection[int] | None) -> Select[Any]:
    columns = _QUANTITIES.c
    query = select(
        columns.job_site_id, type_coerce(columns.date, String), columns.cost_code_id, columns.unit_of_measure,
        cast(columns.units, Float),
    ).where(columns.deleted_at.is_(None), columns.date >= start, columns.date <= end)
    if job_site_ids is not None:
        query = query.where(columns.job_site_id.in_(sorted(int(site) for site in job_site_ids)))
    return query


def _site_count(session: Session) -> int:
    return int(session.connection().execute(select(func.count()).select_from(_SITES)).scalar_one())
