"""Incremental refresh on the 1M-log world: what a dashboard waits on after a few edits, against a full recompute.

Run by hand from the project root (pytest never collects bench/):

    python bench/refresh.py [--database-url postgresql+psycopg://…] [--fresh] [--repeat N]

Uses the world of `bench/aggregation.py` (300 job sites, 60 days ending Friday
2026-11-20, about a million time logs), written once and reused. Per module
(manpower, timecard, quantity), in one run:

- week first open: the week dashboard opened when the week has no entries yet
  (a week never opened): every entry is written, then the calendar groups the
  week's days (the module's entries of the week are deleted first, and the
  tables put at rest). Every module's month is stored before the first figure,
  as in an install with history: a load into a table it more than doubles would
  take the bulk path of a first install (indexes, and on PostgreSQL foreign keys,
  set aside and checked once), which a week's first open in a year of entries
  never does;
- full week recompute: the week Monday 16 to Sunday 22 after the refresh marks
  are forgotten, its entries stored and right (as after a mapping change that
  moves none);
- full week after a mapping change: the week dashboard opened after a mapping
  change that blocks every job site, so every entry of the week changes status
  and the calendar groups every day again (and back again afterwards: printed
  too, not counted); the tables are then put at rest again;
- week dashboard after 10 logs changed: 10 time logs of the week edited through
  the Time logs writer (a longer break), then what the page runs on the server:
  the refresh and the calendar's queries;
- month view after 10 changes: the same for the 35 days ending on Sunday 22,
  once the month was computed whole and opened (its first open is printed too:
  on PostgreSQL it groups the month's calendar cells whole, `held_cells`).

The page's server time is the refresh, the calendar's queries (`day_summary`,
`job_site_labels`) and building its cells (`calendar_cells`); each part is
printed beside the total. Each figure is checked against today's full-range
refresh (`refresh_entries`) of the same range in the same run, which must find
nothing to change: both give the same entries. The calendar's counts and figures
are checked equal to the simple way: counting each entry's status in Python and
summing its figures out of its JSON `values`. A resolver blocks about one job
site in seven, so the mapping check runs too. The tables are first put at rest
(`at_rest`: on PostgreSQL vacuumed, as autovacuum leaves them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time as clock
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

import pandas as pd
from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.demo_database import at_rest, demo_database  # noqa: E402
from core import access
from core.dashboards.calendar import calendar_cells
from core.dashboards.queries import day_summary, job_site_labels
from core.db import session_scope
from core.demo.generator import DemoSize
from core.models import CostCode, PublishEntry, PublishModule, PublishStatus, TimeLog
from core.models.timeclock import TimeLogUpdate
from core.modules.definition import UnitFigures
from core.modules.registry import definition
from core.publishing import refresh_entries, summary_status
from core.publishing.incremental import refresh_changed
from core.publishing.modules import ReasonResolver
from core.timeclock.dirty import forget_refreshed
from core.timeclock.edits import update_time_log

SIZE = DemoSize(job_sites=300, employees=15_600, days=60, end_date=date(2026, 11, 20))
WEEK = (date(2026, 11, 16), date(2026, 11, 22))
MONTH = (date(2026, 10, 19), date(2026, 11, 22))
MODULES = [PublishModule.MANPOWER, PublishModule.TIMECARD, PublishModule.QUANTITY]
CHANGES = 10
GOALS = {"dashboard week after 10 changes": 0.5, "week first open (no entries yet)": 2.0,
         "full week recompute": 2.0, "full week after a mapping change": 2.0, "month view after 10 changes": 0.5}


def _blocking_resolver(module: PublishModule, keys: pd.DataFrame) -> Sequence[list[str]]:
    """About one job site in seven is not mapped to a Procore project."""
    return [["Job site is not mapped to a Procore project"] if site % 7 == 0 else []
            for site in keys["job_site_id"].tolist()]


def _unmapped_resolver(module: PublishModule, keys: pd.DataFrame) -> Sequence[list[str]]:
    """The mapping change: no job site is mapped to a Procore project any more."""
    return [["Job site is not mapped to a Procore project"]] * len(keys)


def main() -> None:
    options = _options()
    name = f"procore_bench_{SIZE.job_sites}x{SIZE.employees}x{SIZE.days}_seed{SIZE.seed}_{SIZE.end_date}"
    engine, _ = demo_database(name, SIZE, database_url=options.database_url, fresh=options.fresh)
    with session_scope(engine) as session:
        access.ensure_defaults(session)
    for module in MODULES:  # as an install with history: the month stored for every module before any figure
        _incremental(engine, module, *MONTH)
    at_rest(engine)
    worst: dict[str, float] = dict.fromkeys(GOALS, 0.0)
    for module in MODULES:
        rounds = [_module(engine, module) for _ in range(options.repeat)]
        for label in GOALS:
            seconds = statistics.median(figures[label] for figures in rounds)
            if options.repeat > 1:
                each = ", ".join(f"{figures[label]:.3f}" for figures in rounds)
                print(f"{module.value}: {label}: median {seconds:.3f} s of {options.repeat} rounds ({each})")
            worst[label] = max(worst[label], seconds)
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    for label, goal in GOALS.items():
        print(f"{label}, slowest module: {worst[label]:.3f} s (goal {goal} s)")


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL database to use instead of the SQLite file")
    parser.add_argument("--fresh", action="store_true", help="write the demo world again instead of reusing it")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="measure each module N times over (each round with 10 changes of its own) and take "
                             "the median of each figure: this machine's speed moves by a quarter from minute to "
                             "minute")
    options = parser.parse_args()
    if options.repeat < 1:
        parser.error("--repeat takes a whole number of at least 1")
    return options


def _module(engine: Engine, module: PublishModule) -> dict[str, float]:
    """The figures of one module, each checked against a full refresh of its range."""
    first_week = _first_open(engine, module)
    with session_scope(engine) as session:
        forget_refreshed(session)
    full_week = _timed(lambda: _incremental(engine, module, *WEEK))
    baseline = _check_against_full(engine, module, *WEEK)
    _print(module, "full week recompute", full_week, baseline)
    remapped = _mapping_change(engine, module)
    _change_logs(engine, *WEEK)
    week = _open_dashboard(engine, module, *WEEK)
    baseline = _check_against_full(engine, module, *WEEK)
    _print(module, "dashboard week after 10 changes", week, baseline)
    _incremental(engine, module, *MONTH)  # the month computed whole once
    first = _open_dashboard(engine, module, *MONTH)  # and opened once (PostgreSQL groups its cells whole)
    print(f"{module.value}: month view first open: {first['total']:.3f} s; queries {first['queries']:.3f} s",
          flush=True)
    _change_logs(engine, *MONTH)
    month = _open_dashboard(engine, module, *MONTH)
    baseline = _check_against_full(engine, module, *MONTH)
    _print(module, "month view after 10 changes", month, baseline)
    return {"week first open (no entries yet)": first_week["total"], "full week recompute": full_week["total"],
            "full week after a mapping change": remapped["total"],
            "dashboard week after 10 changes": week["total"], "month view after 10 changes": month["total"]}


def _first_open(engine: Engine, module: PublishModule) -> dict[str, float]:
    """The week dashboard opened when the week has no entries yet: the module's entries of the week are deleted
    (and the tables put at rest, as autovacuum leaves them), then the page computes and writes them all; the tables
    are put at rest again after it."""
    table: Table = PublishEntry.__table__  # type: ignore[attr-defined]  # SQLModel leaves __table__ undeclared
    with session_scope(engine) as session:
        session.connection().execute(table.delete().where(
            table.c.module == module.value, table.c.work_date >= WEEK[0], table.c.work_date <= WEEK[1]))
        forget_refreshed(session)
    at_rest(engine)
    seconds = _open_dashboard(engine, module, *WEEK)
    _print(module, "week first open (no entries yet)", seconds, _check_against_full(engine, module, *WEEK))
    at_rest(engine)
    return seconds


def _mapping_change(engine: Engine, module: PublishModule) -> dict[str, float]:
    """The week dashboard opened after a mapping change that blocks every job site (every entry of the week changes
    status, and the calendar groups every day of it again), checked against a full refresh; then the change undone,
    which moves them all back. The tables are then put at rest again, as autovacuum leaves them after such writes."""
    figures: dict[str, dict[str, float]] = {}
    for label, resolver in (("full week after a mapping change", _unmapped_resolver),
                            ("full week after the mapping change is undone", _blocking_resolver)):
        with session_scope(engine) as session:
            forget_refreshed(session)  # what every mapping change does (`core.sync.links`)
        figures[label] = _open_dashboard(engine, module, *WEEK, resolver=resolver)
        _print(module, label, figures[label], _check_against_full(engine, module, *WEEK, resolver=resolver))
    at_rest(engine)
    return figures["full week after a mapping change"]


def _timed(work: Callable[[], Any]) -> dict[str, float]:
    started, cpu = clock.perf_counter(), clock.process_time()
    work()
    return {"total": clock.perf_counter() - started, "cpu": clock.process_time() - cpu}


def _print(module: PublishModule, label: str, ours: dict[str, float], baseline: float) -> None:
    """One figure: the wall time, then its parts and this process's CPU time (the load of a shared machine
    stretches the wall time, much less the CPU time)."""
    total = ours["total"]
    parts = "".join(f"; {name} {seconds:.3f} s" for name, seconds in ours.items() if name != "total")
    print(f"{module.value}: {label}: {total:.3f} s{parts}; full-range refresh {baseline:.3f} s "
          f"({baseline / total:.1f}×)", flush=True)


def _incremental(engine: Engine, module: PublishModule, start: date, end: date,
                 resolver: ReasonResolver = _blocking_resolver) -> None:
    with session_scope(engine) as session:
        refresh_changed(session, module=module, start=start, end=end, job_site_ids=None, resolver=resolver)


def _open_dashboard(engine: Engine, module: PublishModule, start: date, end: date,
                    resolver: ReasonResolver = _blocking_resolver) -> dict[str, float]:
    """What the dashboard page runs on the server, timed part by part: the refresh, the calendar's queries, its
    cells. The counts and figures are then checked against the simple way."""
    seconds: dict[str, float] = {}
    started, cpu = clock.perf_counter(), clock.process_time()
    _incremental(engine, module, start, end, resolver)
    seconds["refresh"] = clock.perf_counter() - started
    with Session(engine) as session:
        counts, figures = day_summary(session, module=module, start=start, end=end)
        sites = job_site_labels(session)
    seconds["queries"] = clock.perf_counter() - started - seconds["refresh"]
    calendar_cells(module, counts, figures, sites)
    seconds["total"] = clock.perf_counter() - started
    seconds["calendar cells"] = seconds["total"] - seconds["refresh"] - seconds["queries"]
    seconds["cpu"] = clock.process_time() - cpu
    _check_calendar(engine, module, start, end, counts, figures)
    return seconds


def _check_calendar(
    engine: Engine, module: PublishModule, start: date, end: date, counts: pd.DataFrame, figures: pd.DataFrame
) -> None:
    """The calendar's counts and figures equal the simple way's: each entry's status counted in Python, its
    figures summed out of its JSON `values` (as the dashboards did before the figure columns)."""
    with Session(engine) as session:
        simple_counts = _simple_counts(session, module, start, end)
        simple_figures = _simple_figures(session, module, start, end)
    ours = {(int(site), day): (int(total), summary) for site, day, total, summary in zip(
        counts["job_site_id"], counts["work_date"], counts["total"], counts["summary_status"], strict=True)}
    assert ours == simple_counts, f"{module.value}: the calendar's status counts differ from the simple way's"
    simple = _rounded(simple_figures.set_axis(figures.columns, axis=1))
    assert _rounded(figures) == simple, f"{module.value}: the calendar's figures differ from the entries' values"


def _simple_counts(session: Session, module: PublishModule, start: date, end: date) -> dict[Any, Any]:
    """(job site, day) → (entries, the status the cell shows), counted entry by entry."""
    table: Table = PublishEntry.__table__  # type: ignore[attr-defined]  # SQLModel leaves __table__ undeclared
    query = select(table.c.job_site_id, table.c.work_date, table.c.status).where(
        table.c.module == module.value, table.c.work_date >= start, table.c.work_date <= end)
    days: dict[tuple[int, date], list[str]] = {}
    for site, day, status in session.connection().execute(query):
        days.setdefault((int(site), day), []).append(status)
    return {key: (len(found), summary_status(found)) for key, found in days.items()}


def _simple_figures(session: Session, module: PublishModule, start: date, end: date) -> pd.DataFrame:
    """The figures summed out of each entry's JSON `values`, Deleted entries left out."""
    table: Table = PublishEntry.__table__  # type: ignore[attr-defined]  # SQLModel leaves __table__ undeclared
    codes: Table = CostCode.__table__  # type: ignore[attr-defined]
    values, site, day = table.c["values"], table.c.job_site_id, table.c.work_date
    figures = definition(module).figures
    if isinstance(figures, UnitFigures):
        unit = values["unit_of_measure"].as_string()
        query = select(site, day, codes.c.code, unit, func.sum(values["units"].as_float())).outerjoin(
            codes, codes.c.id == table.c.cost_code_id).group_by(site, day, codes.c.code, unit)
    else:
        count = func.count() if figures.summed is None else func.sum(values[figures.summed].as_integer())
        query = select(site, day, count, func.sum(values[figures.hours].as_float())).group_by(site, day)
    query = query.where(table.c.module == module.value, day >= start, day <= end,
                        table.c.status != PublishStatus.DELETED.value)
    return pd.DataFrame([tuple(row) for row in session.connection().execute(query)])


def _rounded(frame: pd.DataFrame) -> Counter[tuple[Any, ...]]:
    """The rows, numbers to 6 decimals (sums added in another order differ in the last bits), in any order."""
    return Counter(tuple(round(value, 6) if isinstance(value, float) else value for value in row)
                   for row in frame.itertuples(index=False, name=None))


def _check_against_full(
    engine: Engine, module: PublishModule, start: date, end: date,
    resolver: ReasonResolver = _blocking_resolver,
) -> float:
    """Seconds of today's full-range refresh of the range, which must find every entry already right."""
    with Session(engine) as session:
        before = _entries(session, module, start, end)
        started = clock.perf_counter()
        report = refresh_entries(session, module=module, start=start, end=end, resolver=resolver)
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
