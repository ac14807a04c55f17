"""Dirty job-site days: every write to time logs or production quantities records the days it touches.

Writers call `mark_dirty` (or `mark_logs_dirty`) in the same transaction as
the change, for the old and the new site and day of what they changed. A
refresh then recomputes only those days (`core.publishing.incremental`).
`forget_refreshed` makes every module compute its next ranges whole: after a
mapping change (reasons can change anywhere) or new demo data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import delete, insert
from sqlmodel import Session

from core.models.publishing import DirtyDay, PublishModule, RefreshedDay

# A clock-in's work date is its job site's local date: at most one day either side of its UTC date.
_LOCAL_DAYS = (timedelta(days=-1), timedelta(0), timedelta(days=1))


def mark_dirty(session: Session, pairs: Iterable[tuple[int, date]]) -> None:
    """Record that the (job site, work date) `pairs` changed, for every module."""
    unique = {(int(site), day) for site, day in pairs}
    rows = [
        {"module": module.value, "job_site_id": site, "work_date": day}
        for site, day in sorted(unique) for module in PublishModule
    ]
    if rows:
        session.execute(insert(DirtyDay), rows)


def mark_logs_dirty(session: Session, logs: Iterable[tuple[int, datetime]]) -> None:
    """Record the days of time logs given as (job site, UTC clock-in): every local date the clock-in can have."""
    mark_dirty(session, ((site, clock_in.date() + shift) for site, clock_in in logs for shift in _LOCAL_DAYS))


def forget_refreshed(session: Session) -> None:
    """Make every module compute its next ranges whole, as if never refreshed."""
    session.execute(delete(RefreshedDay))
