"""The calendar's cells held in the database (`core.dashboards.held_cells`) against the entries grouped there and
then: after publishing, deleting, editing and moving entries, what the calendar reads is what the entries say."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.dashboards.held_cells import _SQLITE, held_day_rows
from core.dashboards.queries import day_summary
from core.db import session_scope
from core.models.publishing import PublishModule, PublishStatus
from core.publishing import calendar_marks, refresh
from core.timeclock.dirty import forget_refreshed
from tests.core.publishing.engine_world import WEEK_END, WEEK_START, Linked, delete_source, lengthen_break

TIMECARD = PublishModule.TIMECARD
_GROUPED = text(
    "SELECT job_site_id, work_date, status, count(*), sum(figure_count), sum(figure_amount) FROM publish_entry "
    "WHERE module = :module AND work_date BETWEEN :start AND :end GROUP BY job_site_id, work_date, status")


def _next_day(engine: Engine) -> str:
    return "work_date + 1" if engine.dialect.name == "postgresql" else "date(work_date, '+1 day')"


def _held(engine: Engine, start: Any = WEEK_START, end: Any = WEEK_END) -> set[tuple[Any, ...]]:
    with Session(engine) as session:
        rows = held_day_rows(session, module=TIMECARD, start=start, end=end, job_site_ids=None)
    assert rows is not None
    return {_comparable(row) for row in rows}


def _grouped(engine: Engine, start: Any = WEEK_START, end: Any = WEEK_END) -> set[tuple[Any, ...]]:
    with engine.connect() as connection:
        found = connection.execute(_GROUPED, {"module": TIMECARD.value, "start": start, "end": end})
        return {_comparable(tuple(row)) for row in found}


def _comparable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    site, day, status, entries, count, amount = row
    day = day if isinstance(day, date) else date.fromisoformat(day)  # SQLite's DATE text
    return int(site), day, str(status), int(entries), count and int(count), amount and round(float(amount), 6)


def _execute(engine: Engine, sql: str, **params: Any) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql), params)


@pytest.mark.parametrize("set_aside", [False, True], ids=["triggers", "large-writes"])
def test_the_held_cells_follow_every_write_to_the_entries(
    linked: Linked, set_aside: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if set_aside:  # every refresh writes as a large one does: SQLite's triggers set aside, the days marked by it
        monkeypatch.setattr(calendar_marks, "SET_ASIDE_MIN_ROWS", 1)
    refresh(linked.engine, module=TIMECARD, start=WEEK_START, end=WEEK_END)
    assert _held(linked.engine) == _grouped(linked.engine) != set()  # the week opened: grouped whole

    linked.publish(TIMECARD, sites=["1001"])  # claims, then each outcome as it came
    assert PublishStatus.PUBLISHED.value in {status for _, _, status, *_ in _held(linked.engine)}
    assert _held(linked.engine) == _grouped(linked.engine)

    published = linked.entries(TIMECARD, status=PublishStatus.PUBLISHED)
    delete_source(linked, published[0])  # Deleted once refreshed
    lengthen_break(linked, published[1], minutes=5)  # Updated, with fewer hours
    refresh(linked.engine, module=TIMECARD, start=WEEK_START, end=WEEK_END)
    statuses = {status for _, _, status, *_ in _held(linked.engine)}
    assert {PublishStatus.DELETED.value, PublishStatus.UPDATED.value} <= statuses
    assert _held(linked.engine) == _grouped(linked.engine)

    moved, removed = linked.entries(TIMECARD, status=PublishStatus.TO_DO)[:2]
    _execute(linked.engine, f"UPDATE publish_entry SET work_date = {_next_day(linked.engine)}, figure_amount = 99 "
                          "WHERE id = :id", id=moved.id)  # the day it left and the day it joined
    assert _held(linked.engine) == _grouped(linked.engine)
    _execute(linked.engine, "DELETE FROM publish_entry WHERE id = :id", id=removed.id)
    assert _held(linked.engine) == _grouped(linked.engine)

    with session_scope(linked.engine) as session:
        forget_refreshed(session)
    refresh(linked.engine, module=TIMECARD, start=WEEK_START, end=WEEK_END)  # the deleted one written again
    again = linked.entries(TIMECARD, natural_key=removed.natural_key)
    assert len(again) == 1
    assert again[0].id != removed.id
    assert _held(linked.engine) == _grouped(linked.engine)


def test_a_session_holding_uncommitted_writes_sees_them_in_the_calendar(linked: Linked) -> None:
    refresh(linked.engine, module=TIMECARD, start=WEEK_START, end=WEEK_END)
    entry = linked.entries(TIMECARD, status=PublishStatus.TO_DO)[0]
    with Session(linked.engine) as session:
        day_summary(session, module=TIMECARD, start=WEEK_START, end=WEEK_END)  # the week's cells held
        session.connection().execute(text("UPDATE publish_entry SET status = 'failed' WHERE id = :id"),
                                     {"id": entry.id})
        counts, _ = day_summary(session, module=TIMECARD, start=WEEK_START, end=WEEK_END)
        session.rollback()

    cell = counts[(counts["job_site_id"] == entry.job_site_id) & (counts["work_date"] == entry.work_date)]
    assert int(cell[PublishStatus.FAILED.value].iloc[0]) == 1


def test_marks_of_days_never_opened_are_dropped_and_such_a_day_is_grouped_when_opened(linked: Linked) -> None:
    refresh(linked.engine, module=TIMECARD, start=WEEK_START, end=WEEK_END)
    _held(linked.engine, WEEK_START, WEEK_START)  # Monday opened; the rest of the week never was
    friday = WEEK_END
    _execute(linked.engine, "UPDATE publish_entry SET figure_amount = figure_amount + 1 "
                          "WHERE module = 'timecard' AND work_date = :day", day=friday)

    _held(linked.engine, WEEK_START, WEEK_START)
    with linked.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM calendar_mark")).scalar_one() == 0
    assert _held(linked.engine, friday, friday) == _grouped(linked.engine, friday, friday) != set()
    assert _held(linked.engine, friday - timedelta(days=1), friday) == _grouped(
        linked.engine, friday - timedelta(days=1), friday)


def test_emptying_the_entries_table_forgets_the_held_cells(linked: Linked) -> None:
    refresh(linked.engine, module=TIMECARD, start=WEEK_START, end=WEEK_END)
    assert _held(linked.engine) != set()

    emptying = "TRUNCATE publish_entry CASCADE" if linked.engine.dialect.name == "postgresql" else \
        "DELETE FROM publish_entry"
    _execute(linked.engine, emptying)  # as an administrator starting over would
    assert _held(linked.engine) == _grouped(linked.engine) == set()
    with session_scope(linked.engine) as session:
        forget_refreshed(session)
    refresh(linked.engine, module=TIMECARD, start=WEEK_START, end=WEEK_END)
    assert _held(linked.engine) == _grouped(linked.engine) != set()


def test_a_reader_does_not_wait_behind_a_long_write_on_sqlite(linked: Linked) -> None:
    if linked.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one write lock; PostgreSQL's readers never wait on writers")
    refresh(linked.engine, module=TIMECARD, start=WEEK_START, end=WEEK_END)
    before = _grouped(linked.engine)
    with linked.engine.connect() as writer:
        writer.exec_driver_sql("BEGIN IMMEDIATE")  # a refresh writing a month, say
        writer.execute(text("UPDATE publish_entry SET status = 'failed' WHERE module = 'timecard'"))
        with Session(linked.engine) as session:
            assert held_day_rows(session, module=TIMECARD, start=WEEK_START, end=WEEK_END, job_site_ids=None) is None
            counts, _ = day_summary(session, module=TIMECARD, start=WEEK_START, end=WEEK_END)  # grouped itself
        writer.rollback()
    assert int(counts["total"].sum()) == sum(entries for *_, entries, _, _ in before)
    assert _held(linked.engine) == before


def test_regrouping_marked_days_reads_only_their_entries_on_a_database_never_analysed(linked: Linked) -> None:
    """Without planner statistics, SQLite put the marked pairs inside the join and scanned them once per entry of
    the module: two minutes for a week of 111,000 timecards whose every job-site day was marked."""
    if linked.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's join order; PostgreSQL joins the unnested arrays by hash or index")
    with linked.engine.begin() as connection:
        if connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            connection.exec_driver_sql("DELETE FROM sqlite_stat1")  # as the app's own database: never analysed
    with linked.engine.connect() as connection:
        pairs = [[WEEK_START.isoformat(), 1], [WEEK_END.isoformat(), 2]]
        plan = [str(row[-1]) for row in connection.execute(
            text(f"EXPLAIN QUERY PLAN {_SQLITE.group_site_days.text}"),
            {"module": TIMECARD.value, "pairs": json.dumps(pairs)})]
    scans = [step for step in plan if step.startswith(("SCAN", "SEARCH"))]
    assert scans[0].startswith("SCAN json_each"), plan  # the pairs outside, read once
    assert scans[1].startswith("SEARCH e USING COVERING INDEX ix_publish_entry_calendar"), plan
    assert "job_site_id=?" in scans[1], plan  # each pair's own entries, found through the index
