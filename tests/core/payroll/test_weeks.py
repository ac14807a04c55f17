"""The week the payroll board opens on: today's pay week, or the oldest recent one with time not yet approved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.db import session_scope
from core.models import JobSite, TimeLog
from core.models.payroll import BoardColumn, PayrollCard
from core.payroll.weeks import board_opening_week, opening_week, unapproved_weeks

TODAY = date(2026, 12, 1)  # a Tuesday; its pay week starts on Monday 30 November
# The demo world's time logs run from Saturday 31 October to Friday 20 November (tests/conftest.py DEMO_END).
DEMO_WEEKS = {date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)}


@pytest.mark.parametrize(("unapproved", "starts_on", "opens_on"), [
    pytest.param([], 0, date(2026, 11, 30), id="nothing-waiting-opens-today's-week"),
    pytest.param([date(2026, 11, 16), date(2026, 11, 2)], 0, date(2026, 11, 2), id="the-oldest-waiting-week"),
    pytest.param([date(2026, 11, 30)], 0, date(2026, 11, 30), id="today's-week-waiting-is-today's-week"),
    pytest.param([date(2026, 12, 7)], 0, date(2026, 11, 30), id="a-later-week-does-not-count"),
    pytest.param([], 6, date(2026, 11, 29), id="weeks-starting-on-sunday"),
    pytest.param([date(2026, 11, 22), date(2026, 11, 15)], 6, date(2026, 11, 15), id="sunday-weeks-waiting"),
])
def test_the_board_opens_on_the_oldest_week_waiting_or_today(
    unapproved: list[date], starts_on: int, opens_on: date
) -> None:
    assert opening_week(today=TODAY, starts_on=starts_on, unapproved=unapproved) == opens_on


def _review(engine: Engine, week: date, column: BoardColumn, *, sites: list[int] | None = None) -> None:
    """Put the week's cards (of every job site, or of `sites`) in `column`, as moves on the board do."""
    with session_scope(engine) as session:
        for site in sites or session.exec(select(JobSite.id)).all():
            assert site is not None
            session.add(PayrollCard(job_site_id=site, week_start=week, column=column, moved_by="payroll@example.com"))


def _unapproved(engine: Engine, **options: int) -> set[date]:
    with Session(engine) as session:
        return unapproved_weeks(session, today=TODAY, starts_on=0, **options)


def test_every_week_with_time_waits_until_all_its_cards_are_approved(demo_engine: Engine) -> None:
    assert _unapproved(demo_engine) == DEMO_WEEKS

    _review(demo_engine, date(2026, 10, 26), BoardColumn.APPROVED)
    _review(demo_engine, date(2026, 11, 2), BoardColumn.PUBLISH)
    _review(demo_engine, date(2026, 11, 9), BoardColumn.IN_REVIEW)
    _review(demo_engine, date(2026, 11, 16), BoardColumn.APPROVED, sites=[1, 2])

    assert _unapproved(demo_engine) == {date(2026, 11, 9), date(2026, 11, 16)}
    with Session(demo_engine) as session:
        assert board_opening_week(session, today=TODAY, starts_on=0) == date(2026, 11, 9)


def test_only_recent_weeks_count(demo_engine: Engine) -> None:
    assert _unapproved(demo_engine, lookback_weeks=3) == {date(2026, 11, 9), date(2026, 11, 16)}
    with Session(demo_engine) as session:
        assert board_opening_week(session, today=date(2027, 6, 1), starts_on=0) == date(2027, 5, 31)


def test_a_log_counts_in_the_week_of_its_date_at_the_job_site(demo_engine: Engine) -> None:
    for week in DEMO_WEEKS:
        _review(demo_engine, week, BoardColumn.APPROVED)
    assert _unapproved(demo_engine) == set()
    with session_scope(demo_engine) as session:
        site = session.exec(select(JobSite).where(JobSite.time_zone == "America/Los_Angeles")).first()
        assert site is not None
        assert site.id is not None
        log = session.exec(select(TimeLog).where(TimeLog.job_site_id == site.id)).first()
        assert log is not None
        # Sunday 22 November, 19:00 in Los Angeles: Monday 23 in UTC, but the week of 16 November there.
        clock_in = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
        session.add(TimeLog.model_validate(log.model_dump(exclude={"id", "clock_in", "clock_out"}),
                                           update={"clock_in": clock_in, "clock_out": clock_in + timedelta(hours=2)}))
    assert _unapproved(demo_engine) == set()

    with session_scope(demo_engine) as session:
        session.add(TimeLog.model_validate(log.model_dump(exclude={"id", "clock_in", "clock_out"}), update={
            "clock_in": clock_in + timedelta(hours=8), "clock_out": clock_in + timedelta(hours=10)}))
    assert _unapproved(demo_engine) == {date(2026, 11, 23)}  # Monday 23 at the job site


def test_deleted_and_open_logs_are_not_time_to_approve(demo_engine: Engine) -> None:
    with session_scope(demo_engine) as session:
        logs = session.exec(select(TimeLog).where(TimeLog.clock_in >= datetime(2026, 11, 16, tzinfo=UTC),
                                                  col(TimeLog.deleted_at).is_(None))).all()
        for number, log in enumerate(logs):
            if number % 2:
                log.deleted_at = datetime(2026, 11, 25, tzinfo=UTC)
            else:
                log.clock_out = None
            session.add(log)
    assert _unapproved(demo_engine) == DEMO_WEEKS - {date(2026, 11, 16)}
