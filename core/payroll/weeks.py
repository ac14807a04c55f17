"""The pay week the board opens on: the current one, or the oldest earlier week with time not yet approved.

    week = opening_week(today=today, starts_on=0, unapproved=unapproved_weeks(session, today=today, starts_on=0))

A week is unapproved while any job site with time in it has its card in To do or In review.
Only the last LOOKBACK_WEEKS count: history imported before the board was used, never reviewed
on it, must not open the board months back on every visit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import Table, func, select
from sqlmodel import Session

from core.models import JobSite, TimeLog
from core.models.payroll import BoardColumn, PayrollCard
from core.payroll.board import week_of
from core.timeclock.rules import local_to_utc, work_date

LOOKBACK_WEEKS = 12
_LOGS: Table = TimeLog.__table__  # type: ignore[attr-defined]
_CARDS: Table = PayrollCard.__table__  # type: ignore[attr-defined]
_SITES: Table = JobSite.__table__  # type: ignore[attr-defined]
_REVIEWED = (BoardColumn.APPROVED.value, BoardColumn.PUBLISH.value)


def opening_week(*, today: date, starts_on: int, unapproved: Iterable[date]) -> date:
    """The oldest of the `unapproved` weeks before today's, or today's pay week when there is none."""
    current = week_of(today, starts_on)
    return min((week for week in unapproved if week < current), default=current)


def unapproved_weeks(
    session: Session, *, today: date, starts_on: int, lookback_weeks: int = LOOKBACK_WEEKS
) -> set[date]:
    """The pay weeks before today's (at most `lookback_weeks` back) where a job site's time is not yet approved."""
    current = week_of(today, starts_on)
    first = current - timedelta(weeks=lookback_weeks)
    reviewed = {(int(site), week) for site, week in session.connection().execute(
        select(_CARDS.c.job_site_id, _CARDS.c.week_start).where(
            _CARDS.c.week_start >= first, _CARDS.c.week_start < current, _CARDS.c.column.in_(_REVIEWED)))}
    weeks = {(site, week_of(day, starts_on)) for site, day in worked_days(session, start=first, end=current)}
    return {week for site, week in weeks if (site, week) not in reviewed}


def worked_days(session: Session, *, start: date, end: date) -> set[tuple[int, date]]:
    """(job site, work date) of every live, closed time log dated in [start, end).

    Logs are grouped by their UTC day in the database; a day's first and last clock-in, read in the job
    site's zone, are the (at most two) work dates it holds, so only a few rows per job site and day travel.
    """
    zones = {int(site): str(name) for site, name in session.connection().execute(
        select(_SITES.c.id, _SITES.c.time_zone))}
    if not zones:
        return set()
    low = min(local_to_utc(datetime.combine(start, time.min), name) for name in set(zones.values()))
    high = max(local_to_utc(datetime.combine(end, time.min), name) for name in set(zones.values()))
    columns = _LOGS.c
    query = select(columns.job_site_id, func.min(columns.clock_in), func.max(columns.clock_in)).where(
        columns.deleted_at.is_(None), columns.clock_out.is_not(None), columns.clock_in >= low,
        columns.clock_in < high,
    ).group_by(columns.job_site_id, func.date(columns.clock_in))
    days = set()
    for site, first, last in session.connection().execute(query):
        for instant in (first, last):
            day = work_date(instant, zones[int(site)])
            if start <= day < end:
                days.add((int(site), day))
    return days


def board_opening_week(session: Session, *, today: date, starts_on: int) -> date:
    """The week the board opens on for a person who has not picked one (see the module's docstring)."""
    return opening_week(today=today, starts_on=starts_on,
                        unapproved=unapproved_weeks(session, today=today, starts_on=starts_on))
