"""The pay week the board opens on: the current one, or the oldest earlier week with time not yet approved.

    week = opening_week(today=today, starts_on=0, unapproved=unapproved_weeks(session, today=today, starts_on=0))

A week is unapproved while any job site with time in it has its card in To do or In review.
Only the last LOOKBACK_WEEKS count: history imported before the board was used, never reviewed
on it, must not open the board months back on every visit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import Table, select
from sqlmodel import Session

from core.models import JobSite, TimeLog
from core.models.payroll import BoardColumn, PayrollCard
from core.payroll.board import week_of
from core.timeclock.rules import local_to_utc

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
    """The pay weeks before today's (at most `lookback_weeks` back) where a job site's time is not yet approved.

    Per week and time zone, one query asks for a single live, closed log of a job site not yet approved,
    dated in that week at the job site: an index seek per job site (`ix_time_log_site_clock_in`), so the
    answer does not grow with the number of time logs.
    """
    current = week_of(today, starts_on)
    weeks = [current - timedelta(weeks=back) for back in range(lookback_weeks, 0, -1)]
    reviewed: dict[date, set[int]] = {}
    for site, week in session.connection().execute(select(_CARDS.c.job_site_id, _CARDS.c.week_start).where(
            _CARDS.c.week_start >= current - timedelta(weeks=lookback_weeks), _CARDS.c.week_start < current,
            _CARDS.c.column.in_(_REVIEWED))):
        reviewed.setdefault(week, set()).add(int(site))
    zones: dict[str, set[int]] = {}
    for site, name in session.connection().execute(select(_SITES.c.id, _SITES.c.time_zone)):
        zones.setdefault(str(name), set()).add(int(site))
    return {week for week in weeks if any(
        _has_time(session, sorted(sites - reviewed.get(week, set())), week, zone) for zone, sites in zones.items())}


def _has_time(session: Session, sites: list[int], week: date, zone: str) -> bool:
    """Whether one of `sites` (all in `zone`) has a live, closed time log dated in the pay week `week`."""
    if not sites:
        return False
    start = local_to_utc(datetime.combine(week, time.min), zone)
    end = local_to_utc(datetime.combine(week + timedelta(weeks=1), time.min), zone)
    logs = _LOGS.c
    query = select(logs.job_site_id).where(
        logs.job_site_id.in_(sites), logs.clock_in >= start, logs.clock_in < end, logs.deleted_at.is_(None),
        logs.clock_out.is_not(None)).limit(1)
    return session.connection().execute(query).first() is not None


def board_opening_week(session: Session, *, today: date, starts_on: int) -> date:
    """The week the board opens on for a person who has not picked one (see the module's docstring)."""
    return opening_week(today=today, starts_on=starts_on,
                        unapproved=unapproved_weeks(session, today=today, starts_on=starts_on))
