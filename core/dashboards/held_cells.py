"""The calendar's cells held in PostgreSQL: each job-site day's entries counted by status, with their figures.

A month of timecards is some 590,000 entries; grouping them on every open cost
PostgreSQL 0.26–0.35 s on 2 cores. `calendar_cell` keeps that grouping for the days
opened before (`calendar_day`), and statement triggers on `publish_entry` add a row
to `calendar_mark` for each job-site day a statement changes (migration 0015). Before
a read, the cells of marked days are grouped again from their entries:

- a day never opened is grouped whole, once;
- the marks are read first and only those are deleted after: a mark added meanwhile
  (a write committed since) stays for the next read, and the entries are grouped in
  later statements than the marks' read, so they hold every write a deleted mark
  stood for;
- marks of days no one has opened are dropped: such a day is grouped whole, from its
  entries as they are then, when it is first opened;
- one reader per module brings cells up to date at a time (a transaction-scoped
  advisory lock); writers never take it, and marks are only ever inserted, so writers
  never wait on each other or on readers for them.

SQLite has no statement triggers and groups a month fast enough: there, and in a
session holding writes it has not committed (another connection would not see them),
the caller groups the entries itself.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from core.db import has_uncommitted_writes
from core.models.publishing import PublishModule

DayRow = tuple[int, date, str, int, Any, Any]  # job site, day, status, entries, summed count, summed amount

_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('calendar_cell ' || :module))")
_MARKS = text("SELECT id, work_date, job_site_id FROM calendar_mark WHERE module = :module")
_KNOWN = text("SELECT work_date FROM calendar_day WHERE module = :module AND work_date = ANY(CAST(:days AS date[]))")
_FORGET_DAYS = text("DELETE FROM calendar_cell WHERE module = :module AND work_date = ANY(CAST(:days AS date[]))")
_GROUP_DAYS = text(
    "INSERT INTO calendar_cell SELECT module, work_date, job_site_id, status, count(*), sum(figure_count), "
    "sum(figure_amount) FROM publish_entry WHERE module = :module AND work_date = ANY(CAST(:days AS date[])) "
    "GROUP BY module, work_date, job_site_id, status")
_HOLD_DAYS = text("INSERT INTO calendar_day (module, work_date) SELECT :module, unnest(CAST(:days AS date[])) "
                  "ON CONFLICT DO NOTHING")
_FORGET_SITE_DAYS = text(
    "DELETE FROM calendar_cell AS c USING unnest(CAST(:days AS date[]), CAST(:sites AS integer[])) "
    "AS t(work_date, job_site_id) WHERE c.module = :module AND c.work_date = t.work_date "
    "AND c.job_site_id = t.job_site_id")
_GROUP_SITE_DAYS = text(
    "INSERT INTO calendar_cell SELECT e.module, e.work_date, e.job_site_id, e.status, count(*), "
    "sum(e.figure_count), sum(e.figure_amount) FROM publish_entry AS e "
    "JOIN unnest(CAST(:days AS date[]), CAST(:sites AS integer[])) AS t(work_date, job_site_id) "
    "ON e.work_date = t.work_date AND e.job_site_id = t.job_site_id WHERE e.module = :module "
    "GROUP BY e.module, e.work_date, e.job_site_id, e.status")
_DONE = text("DELETE FROM calendar_mark WHERE id = ANY(CAST(:ids AS bigint[]))")
_CELLS = text("SELECT job_site_id, work_date, status, entries, figure_count, figure_amount FROM calendar_cell "
              "WHERE module = :module AND work_date BETWEEN :start AND :end")
_SITE_CELLS = text("SELECT job_site_id, work_date, status, entries, figure_count, figure_amount FROM calendar_cell "
                   "WHERE module = :module AND work_date BETWEEN :start AND :end "
                   "AND job_site_id = ANY(CAST(:sites AS integer[]))")


def held_day_rows(
    session: Session, *, module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None,
) -> list[DayRow] | None:
    """Per job site, day and status of [start, end]: entries, summed figure_count and figure_amount (Deleted
    entries included, as in the entries); None where the cells are not held (see the module docstring)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql" or has_uncommitted_writes(connection) or end < start:
        return None
    with connection.engine.begin() as upkeep:
        _bring_up_to_date(upkeep, module.value, start, end)
        params: dict[str, Any] = {"module": module.value, "start": start, "end": end}
        query = _CELLS
        if job_site_ids is not None:
            query = _SITE_CELLS
            params["sites"] = sorted(int(site) for site in job_site_ids)
        return [(int(site), day, str(status), int(entries), count, amount)
                for site, day, status, entries, count, amount in upkeep.execute(query, params)]


def _bring_up_to_date(connection: Connection, module: str, start: date, end: date) -> None:
    """The cells of [start, end] and of every marked day opened before, grouped again where marked."""
    run = connection.execute
    run(_LOCK, {"module": module})
    marks = run(_MARKS, {"module": module}).all()
    wanted = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    known = {row[0] for row in run(_KNOWN, {"module": module, "days": wanted})}
    new_days = [day for day in wanted if day not in known]
    grouped_whole = set(new_days)
    if new_days:
        run(_FORGET_DAYS, {"module": module, "days": new_days})
        run(_GROUP_DAYS, {"module": module, "days": new_days})
        run(_HOLD_DAYS, {"module": module, "days": new_days})
    if not marks:
        return
    marked = {(day, int(site)) for _, day, site in marks if day not in grouped_whole}
    held = {row[0] for row in run(_KNOWN, {"module": module, "days": sorted({day for day, _ in marked})})}
    regroup = sorted((day, site) for day, site in marked if day in held)  # others: grouped whole when opened
    if regroup:
        pairs = {"module": module, "days": [day for day, _ in regroup], "sites": [site for _, site in regroup]}
        run(_FORGET_SITE_DAYS, pairs)
        run(_GROUP_SITE_DAYS, pairs)
    run(_DONE, {"ids": [int(mark_id) for mark_id, _, _ in marks]})
