"""Incremental refresh on the 1M-log world: what a dashboard waits on after a few edits, against a full recompute.

Run by hand from the project root (pytest never collects bench/):

    python bench/refresh.py [--database-url postgresql+psycopg://…] [--fresh]

Uses the world of `bench/aggregation.py` (300 job sites, 60 days ending Friday
2026-11-20, about a million time logs), written once and reused. Per module
(manpower, timecard, quantity), in one run:

- full week recompute: the week Monday 16 to Sunday 22 after the refresh marks
  are forgotten (as after a mapping change or on first open);
- week dashboard after 10 logs changed: 10 time logs of the week edited through
  the Time logs writer (a longer break), then what the page runs on the server:
  the refresh and the calendar's queries;
- month view after 10 changes: the same for the 35 days ending on Sunday 22,
  once the month was computed whole.

Each against today's full-range refresh (`refresh_entries`) of the same range
in the same run, which must find nothing to change: both give the same entries.
A resolver blocks about one job site in seven, so the mapping check runs too.
"""

from __future__ import annotations

import argparse
import os
import sys
import time as clock
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

import pandas as pd
from sqlalchemy import Table, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.demo_database import demo_database  # noqa: E402
from core import access
from core.dashboards.queries import day_figures, job_site_labels
from core.db import session_scope
from core.demo.generator import DemoSize
from core.models import PublishEntry, PublishModule, TimeLog
from core.models.timeclock import TimeLogUpdate
from core.publishing import refresh_entries, status_counts
from core.publishing.incremental import refresh_changed
from core.timeclock.dirty import forget_refreshed
from core.timeclock.edits import update_time_log

SIZE = DemoSize(job_sites=300, employees=15_600, days=60, end_date=date(2026, 11, 20))
WEEK = (date(2026, 11, 16), date(2026, 11, 22))
MONTH = (date(2026, 10, 19), date(2026, 11, 22))
MODULES = [PublishModule.MANPOWER, PublishModule.TIMECARD, PublishModule.QUANTITY]
CHANGES = 10
GOALS = {"dashboard week after 10 changes": 0.5, "full week recompute": 2.0, "month view after 10 changes": 0.5}


def _blocking_resolver(module: PublishModule, keys: pd.DataFrame) -> Sequence[list[str]]:
    """About one job site in seven is not mapped to a Procore project."""
    return [["Job site is not mapped to a Procore project"] if site % 7 == 0 else []
            for site in keys["job_site_id"].tolist()]


def main() -> None:
    options = _options()
    name = f"procore_bench_{SIZE.job_sites}x{SIZE.employees}x{SIZE.days}_seed{SIZE.seed}_{SIZE.end_date}"
    engine, _ = demo_database(name, SIZE, database_url=options.database_url, fresh=options.fresh)
    with session_scope(engine) as session:
        access.ensure_defaults(session)
    worst: dict[str, float] = dict.fromkeys(GOALS, 0.0)
    for module in MODULES:
        for label, seconds in _module(engine, module).items():
            worst[label] = max(worst[label], seconds)
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    for label, goal in GOALS.items():
        print(f"{label}, slowest module: {worst[label]:.3f} s (goal {goal} s)")


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL database to use instead of the SQLite file")
    parser.add_argument("--fresh", action="store_true", help="write the demo world again instead of reusing it")
    return parser.parse_args()


def _module(engine: Engine, module: PublishModule) -> dict[str, float]:
    """The three figures of one module, each checked against a full refresh of its range."""
    with session_scope(engine) as session:
        forget_refreshed(session)
    full_week = _timed(lambda: _incremental(engine, module, *WEEK))
    baseline = _check_against_full(engine, module, *WEEK)
    _print(module, "full week recompute", full_week, baseline)
    _change_logs(engine, *WEEK)
    week = _timed(lambda: _open_dashboard(engine, module, *WEEK))
    baseline = _check_against_full(engine, module, *WEEK)
    _print(module, "dashboard week after 10 changes", week, baseline)
    _incremental(engine, module, *MONTH)  # the month computed whole once
    _change_logs(engine, *MONTH)
    month = _timed(lambda: _open_dashboard(engine, module, *MONTH))
    baseline = _check_against_full(engine, module, *MONTH)
    _print(module, "month view after 10 changes", month, baseline)
    return {"full week recompute": full_week, "dashboard week after 10 changes": week,
            "month view after 10 changes": month}


def _timed(work: Callable[[], Any]) -> float:
    started = clock.perf_counter()
    work()
    return clock.perf_counter() - started


def _print(module: PublishModule, label: str, ours: float, baseline: float) -> None:
    print(f"{module.value}: {label}: {ours:.3f} s; full-range refresh {baseline:.3f} s ({baseline / ours:.1f}×)",
          flush=True)


def _incremental(engine: Engine, module: PublishModule, start: date, end: date) -> None:
    with session_scope(engine) as session:
        refresh_changed(session, module=module, start=start, end=end, job_site_ids=None, resolver=_blocking_resolver)


def _open_dashboard(engine: Engine, module: PublishModule, start: date, end: date) -> None:
    """What the dashboard page runs on the server: the refresh, then the calendar's queries."""
    _incremental(engine, module, start, end)
    with Session(engine) as session:
        status_counts(session, module=module, start=start, end=end)
        day_figures(session, module=module, start=start, end=end)
        job_site_labels(session)


def _check_against_full(engine: Engine, module: PublishModule, start: date, end: date) -> float:
    """Seconds of today's full-range refresh of the range, which must find every entry already right."""
    with Session(engine) as session:
        before = _entries(session, module, start, end)
        started = clock.perf_counter()
        report = refresh_entries(session, module=module, start=start, end=end, resolver=_blocking_resolver)
        seconds = clock.perf_counter() - started
        after = _entries(session, module, start, end)
        session.rollback()
    changed = (report.created, report.changed, report.removed, report.source_gone)
    assert changed == (0, 0, 0, 0), f"{module.value}: the full refresh changed {changed} entries"
    assert after == before, f"{module.value}: the full refresh gives other entries than the incremental one"
    return seconds


def _entries(session: Session, module: PublishModule, start: date, end: date) -> list[tuple[Any, ...]]:
    table: Table = PublishEntry.__table__  # type: ignore[attr-defined]  # SQLModel leaves __table__ undeclared
    columns = table.c
    query = select(columns.natural_key, columns.fingerprint, columns.status, columns.reasons).where(
        columns.module == module.value, columns.work_date >= start, columns.work_date <= end
    ).order_by(columns.natural_key)
    return [tuple(row) for row in session.connection().execute(query)]


def _change_logs(engine: Engine, start: date, end: date) -> None:
    """Edit CHANGES time logs of the range (their breaks), as a person would on Time logs."""
    table: Table = TimeLog.__table__  # type: ignore[attr-defined]  # SQLModel leaves __table__ undeclared
    low, high = (datetime.combine(day, time.min, tzinfo=UTC) for day in (start + timedelta(days=1), end))
    with session_scope(engine) as session:
        admin = access.local_admin(session)
        query = select(table.c.id).where(
            table.c.deleted_at.is_(None), table.c.clock_out.is_not(None),
            table.c.clock_in >= low, table.c.clock_in < high,
        ).order_by(table.c.job_site_id, table.c.id).limit(20_000)
        ids = [int(log_id) for log_id in session.connection().execute(query).scalars()][::2_000][:CHANGES]
        for log_id in ids:
            log = session.get(TimeLog, log_id)
            assert log is not None
            other = 1 if log.break_minutes == 0 else 0
            update_time_log(session, log_id=log_id, changes=TimeLogUpdate(break_minutes=other), actor=admin)


if __name__ == "__main__":
    main()
