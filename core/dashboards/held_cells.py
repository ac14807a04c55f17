"""The calendar's cells held in the database: each job-site day's entries counted by status, with their figures.

A month of timecards is some 590,000 entries; grouping them on every open cost
PostgreSQL 0.26–0.35 s and SQLite 0.19–0.23 s on 2 cores. `calendar_cell` keeps that
grouping for the days opened before (`calendar_day`), and triggers on `publish_entry`
add a row to `calendar_mark` for each job-site day a write changes (migrations 0015,
statement triggers on PostgreSQL, and 0016, row triggers on SQLite). Before a read,
the cells of marked days are grouped again from their entries:

- a day never opened is grouped whole, once;
- the marks are read first and only those are deleted after: a mark added meanwhile
  (a write committed since) stays for the next read, and the entries are grouped in
  later statements than the marks' read, so they hold every write a deleted mark
  stood for;
- marks of days no one has opened are dropped: such a day is grouped whole, from its
  entries as they are then, when it is first opened;
- one reader per module brings cells up to date at a time: on PostgreSQL a
  transaction-scoped advisory lock (writers never take it, and marks are only ever
  inserted, so writers never wait on each other or on readers for them); on SQLite
  the database's write lock, asked for a moment only: while a long write holds it,
  the caller groups the entries itself rather than wait.

In a session holding writes it has not committed (another connection would not see
them), and on an in-memory SQLite database (its one connection is the session's), the
caller groups the entries itself.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Integer, TextClause, TextualSelect, column, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from core.aggregation.columnar import sqlite_file
from core.db import has_uncommitted_writes
from core.models.publishing import PublishModule
from core.publishing.calendar_marks import SQLITE_PAIRS

DayRow = tuple[int, date, str, int, Any, Any]  # job site, day, status, entries, summed count, summed amount

_GROUPED = "module, work_date, job_site_id, status, count(*), sum(figure_count), sum(figure_amount)"
_WAIT_MS = 200  # how long a SQLite reader waits for the write lock before grouping the entries itself


def _dated(sql: str, *names: str) -> TextualSelect:
    """`sql`, whose first result columns are `names` (matched by position): work_date comes back as a date
    (SQLite hands back its text), the others as whole numbers."""
    return text(sql).columns(*(column(name, Date) if name == "work_date" else column(name, Integer) for name in names))


def _cells(sites: str | None = None) -> TextualSelect:
    """The held cells of a module's days (of some job sites: `sites`, a condition on job_site_id)."""
    only = "" if sites is None else f" AND {sites}"
    return _dated("SELECT job_site_id, work_date, status, entries, figure_count, figure_amount FROM calendar_cell "
                  f"WHERE module = :module AND work_date BETWEEN :start AND :end{only}", "job_site_id", "work_date")


@dataclass(frozen=True)
class _Statements:
    """One database's statements; lists are bound as that database takes them (`_bound`)."""

    lock: TextClause | None
    marks: TextualSelect  # id, work_date, job_site_id: every mark (PostgreSQL), the last mark of each day (SQLite)
    known: TextualSelect
    forget_days: TextClause
    group_days: TextClause
    hold_days: TextClause
    forget_site_days: TextClause
    group_site_days: TextClause
    done: TextClause  # :ids, the marks read (PostgreSQL); :last, the last one read (SQLite: no writer meanwhile)
    cells: TextualSelect
    site_cells: TextualSelect
    arrays: bool  # PostgreSQL arrays; else JSON text read by json_each


_POSTGRESQL = _Statements(
    lock=text("SELECT pg_advisory_xact_lock(hashtext('calendar_cell ' || :module))"),
    marks=_dated("SELECT id, work_date, job_site_id FROM calendar_mark WHERE module = :module",
                 "id", "work_date", "job_site_id"),
    known=_dated("SELECT work_date FROM calendar_day WHERE module = :module "
                 "AND work_date = ANY(CAST(:days AS date[]))", "work_date"),
    forget_days=text("DELETE FROM calendar_cell WHERE module = :module AND work_date = ANY(CAST(:days AS date[]))"),
    group_days=text(f"INSERT INTO calendar_cell SELECT {_GROUPED} FROM publish_entry WHERE module = :module "
                    "AND work_date = ANY(CAST(:days AS date[])) GROUP BY module, work_date, job_site_id, status"),
    hold_days=text("INSERT INTO calendar_day (module, work_date) SELECT :module, unnest(CAST(:days AS date[])) "
                   "ON CONFLICT DO NOTHING"),
    forget_site_days=text(
        "DELETE FROM calendar_cell AS c USING unnest(CAST(:days AS date[]), CAST(:sites AS integer[])) "
        "AS t(work_date, job_site_id) WHERE c.module = :module AND c.work_date = t.work_date "
        "AND c.job_site_id = t.job_site_id"),
    group_site_days=text(
        "INSERT INTO calendar_cell SELECT e.module, e.work_date, e.job_site_id, e.status, count(*), "
        "sum(e.figure_count), sum(e.figure_amount) FROM publish_entry AS e "
        "JOIN unnest(CAST(:days AS date[]), CAST(:sites AS integer[])) AS t(work_date, job_site_id) "
        "ON e.work_date = t.work_date AND e.job_site_id = t.job_site_id WHERE e.module = :module "
        "GROUP BY e.module, e.work_date, e.job_site_id, e.status"),
    done=text("DELETE FROM calendar_mark WHERE id = ANY(CAST(:ids AS bigint[]))"),
    cells=_cells(),
    site_cells=_cells("job_site_id = ANY(CAST(:sites AS integer[]))"),
    arrays=True,
)

_DAYS = "(SELECT value FROM json_each(:days))"
# The marked pairs drive the regroup (CROSS JOIN fixes SQLite's join order): a database never analysed has no
# statistics (`sqlite_stat1`) for the planner, which then put json_each inside, scanned once per entry of the
# module: 118 s for a week of 111,000 timecards with every job-site day marked, against 0.1 s this way.
_SQLITE = _Statements(
    lock=None,  # the write lock, taken by BEGIN IMMEDIATE
    marks=_dated("SELECT max(id), work_date, job_site_id FROM calendar_mark WHERE module = :module "
                 "GROUP BY work_date, job_site_id", "id", "work_date", "job_site_id"),
    known=_dated(f"SELECT work_date FROM calendar_day WHERE module = :module AND work_date IN {_DAYS}", "work_date"),
    forget_days=text(f"DELETE FROM calendar_cell WHERE module = :module AND work_date IN {_DAYS}"),
    group_days=text(f"INSERT INTO calendar_cell SELECT {_GROUPED} FROM publish_entry WHERE module = :module "
                    f"AND work_date IN {_DAYS} GROUP BY module, work_date, job_site_id, status"),
    hold_days=text("INSERT OR IGNORE INTO calendar_day (module, work_date) SELECT :module, value "
                   "FROM json_each(:days)"),
    forget_site_days=text(f"DELETE FROM calendar_cell WHERE module = :module "
                          f"AND (work_date, job_site_id) IN (SELECT work_date, job_site_id FROM {SQLITE_PAIRS})"),
    group_site_days=text(
        f"INSERT INTO calendar_cell SELECT e.module, e.work_date, e.job_site_id, e.status, count(*), "
        f"sum(e.figure_count), sum(e.figure_amount) FROM {SQLITE_PAIRS} AS t CROSS JOIN publish_entry AS e "
        "WHERE e.module = :module AND e.work_date = t.work_date AND e.job_site_id = t.job_site_id "
        "GROUP BY e.module, e.work_date, e.job_site_id, e.status"),
    done=text("DELETE FROM calendar_mark WHERE module = :module AND id <= :last"),
    cells=_cells(),
    site_cells=_cells("job_site_id IN (SELECT value FROM json_each(:sites))"),
    arrays=False,
)


def held_day_rows(
    session: Session, *, module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None,
) -> list[DayRow] | None:
    """Per job site, day and status of [start, end]: entries, summed figure_count and figure_amount (Deleted
    entries included, as in the entries); None where the cells are not held (see the module docstring)."""
    connection = session.connection()
    statements = _statements(connection)
    if statements is None or has_uncommitted_writes(connection) or end < start:
        return None
    with connection.engine.connect() as upkeep:
        if not _began(upkeep, statements):
            return None
        _bring_up_to_date(upkeep, statements, module.value, start, end)
        params: dict[str, Any] = {"module": module.value, "start": start, "end": end}
        query = statements.cells
        if job_site_ids is not None:
            query = statements.site_cells
            params["sites"] = _bound(statements, sorted(int(site) for site in job_site_ids))
        rows = [(int(site), day, str(status), int(entries), count, amount)
                for site, day, status, entries, count, amount in upkeep.execute(query, params)]
        upkeep.commit()
    return rows


def _statements(connection: Connection) -> _Statements | None:
    if connection.dialect.name == "postgresql":
        return _POSTGRESQL
    if connection.dialect.name == "sqlite" and sqlite_file(connection) is not None:
        return _SQLITE
    return None


def _began(upkeep: Connection, statements: _Statements) -> bool:
    """Begin the upkeep's transaction; on SQLite with the write lock, False when a writer holds it longer than
    a moment (the upkeep writes cells: a reader must not wait behind a long refresh)."""
    if statements.lock is not None:
        return True
    upkeep.exec_driver_sql(f"PRAGMA busy_timeout={_WAIT_MS}")
    try:
        upkeep.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError:
        upkeep.rollback()
        return False
    finally:
        upkeep.exec_driver_sql("PRAGMA busy_timeout=30000")  # the engine's own (`core.db`)
    return True


def _bound(statements: _Statements, values: Sequence[Any]) -> Any:
    """A list as the database's statements take it: an array, or JSON text (dates as ISO text)."""
    if statements.arrays:
        return list(values)
    return json.dumps([[_plain(part) for part in value] if isinstance(value, tuple) else _plain(value)
                       for value in values])


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _bring_up_to_date(connection: Connection, statements: _Statements, module: str, start: date, end: date) -> None:
    """The cells of [start, end] and of every marked day opened before, grouped again where marked."""
    run = connection.execute
    if statements.lock is not None:
        run(statements.lock, {"module": module})
    marks = run(statements.marks, {"module": module}).all()
    wanted = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    known = {row[0] for row in run(statements.known, {"module": module, "days": _bound(statements, wanted)})}
    new_days = [day for day in wanted if day not in known]
    grouped_whole = set(new_days)
    if new_days:
        days = {"module": module, "days": _bound(statements, new_days)}
        run(statements.forget_days, days)
        run(statements.group_days, days)
        run(statements.hold_days, days)
    if not marks:
        return
    marked = {(day, int(site)) for _, day, site in marks if day not in grouped_whole}
    marked_days = sorted({day for day, _ in marked})
    held = {row[0] for row in run(statements.known, {"module": module, "days": _bound(statements, marked_days)})}
    regroup = sorted((day, site) for day, site in marked if day in held)  # others: grouped whole when opened
    if regroup:
        if statements.arrays:
            pairs = {"days": [day for day, _ in regroup], "sites": [site for _, site in regroup]}
        else:
            pairs = {"pairs": _bound(statements, regroup)}
        run(statements.forget_site_days, {"module": module, **pairs})
        run(statements.group_site_days, {"module": module, **pairs})
    if statements.arrays:
        run(statements.done, {"ids": [int(mark_id) for mark_id, _, _ in marks]})
    else:
        run(statements.done, {"module": module, "last": max(int(mark_id) for mark_id, _, _ in marks)})
