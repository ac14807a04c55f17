"""Building a dashboard's calendar for a week of 300 job sites: our queries and pure functions against a
per-job-site baseline, on SQLite.

Run by hand from the project root (pytest never collects bench/):

    python bench/dashboard_calendar.py [--fresh] [--repeat N]

The demo world (300 job sites, 3,000 employees, 14 days ending Friday
2026-11-20) is written once into a SQLite file in the temporary directory and
reused by later runs (`--fresh` writes it again). The week Monday 16 to
Sunday 22 is refreshed into publish entries for each module, with a mapping
resolver that blocks about one entry in seven (Non publishable), and then
part of the entries go through claims as a publisher would record them
(Published, Updated, Failed), so days mix statuses as they do in use.

Timed, per module (the median of `--repeat` runs): what the dashboard does
on the server to draw the calendar: the refresh it runs first (incremental:
the dirty job-site days only, none or a few here), `day_summary` (the status
counts and figures, one read of the calendar's index) and `job_site_labels`
(the queries), `calendar_cells`,
`site_rows` and `calendar_events` (pure), and the JSON the component receives.
The first refresh of the week (creating the entries) is printed separately.
The baseline queries each job site's entries (`entries_frame` for one job
site) and builds its events row by row in Python; before any figure is
printed, both ways are checked to give the same events (ids, colours, the
figures line and status counts).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

import pandas as pd
from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.demo_database import demo_database  # noqa: E402
from core.dashboards.calendar import QUANTITY_CODES_SHOWN, calendar_cells, calendar_events, site_rows
from core.dashboards.queries import day_summary, job_site_labels
from core.db import session_scope
from core.demo.generator import DemoSize, analyze
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.publishing import (
    STATUS_STYLES,
    claim_entries,
    entries_frame,
    label,
    record_failed,
    record_published,
    refresh_entries,
    summary_status,
)
from core.publishing.incremental import refresh_changed

SIZE = DemoSize(job_sites=300, employees=3_000, days=14, end_date=date(2026, 11, 20))
START, END = date(2026, 11, 16), date(2026, 11, 22)
MODULES = (PublishModule.MANPOWER, PublishModule.TIMECARD, PublishModule.QUANTITY)
GOAL_SECONDS = 0.5
BLOCKED_EVERY = 7  # the bench resolver blocks entries whose key ids add up to a multiple of this
_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]  # SQLModel leaves __table__ undeclared


def main() -> None:
    options = _options()
    engine = _demo_world(fresh=options.fresh)
    worst = 0.0
    for module in MODULES:
        runs = [_ours(engine, module) for _ in range(options.repeat)]
        seconds = {name: statistics.median(run[1][name] for run in runs) for name in runs[0][1]}
        total = sum(seconds.values())
        events = runs[0][0]
        naive_events, naive_seconds = _baseline(engine, module)
        _assert_same(module, events, naive_events)
        sites = len({event["extendedProps"]["job_site_id"] for event in events})
        print(
            f"{module.value}: {len(events):,} job-site days of {sites} job sites; median of {options.repeat} runs: "
            + ", ".join(f"{name} {value * 1000:.0f} ms" for name, value in seconds.items())
            + f"; total {total:.3f} s"
        )
        print(f"{module.value}: baseline (one entries_frame query per job site, events built row by row): "
              f"{naive_seconds:.2f} s, same events; ours is {naive_seconds / total:.0f}x faster")
        worst = max(worst, total)
    print(f"calendar_week_300_sites: {worst:.3f} s (goal ≤ {GOAL_SECONDS:g} s)")


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="write the demo world again instead of reusing it")
    parser.add_argument("--repeat", type=int, default=5, help="runs of ours to take the median of")
    return parser.parse_args()


def _demo_world(*, fresh: bool) -> Engine:
    """The demo world with each module's week refreshed; a world written just now also gets some publishing."""
    name = f"procore_bench_calendar_{SIZE.job_sites}x{SIZE.employees}x{SIZE.days}_seed{SIZE.seed}_{SIZE.end_date}"
    engine, written = demo_database(name, SIZE, fresh=fresh)
    _time_refresh(engine)
    if written:
        for module in MODULES:
            _publish_some(engine, module)
        analyze(engine)
    return engine


def _time_refresh(engine: Engine) -> None:
    """Refresh each module's week (the first run creates the entries; later ones find them unchanged)."""
    for module in MODULES:
        started = time.perf_counter()
        with session_scope(engine) as session:
            report = refresh_entries(session, module=module, start=START, end=END, resolver=_blocking_resolver)
        print(f"{module.value}: refresh of the week from the time clock {time.perf_counter() - started:.2f} s "
              f"({report.created:,} created, {report.unchanged:,} unchanged; not part of the calendar's time)")


def _blocking_resolver(module: PublishModule, keys: pd.DataFrame) -> Sequence[list[str]]:
    """A stand-in for Data mapping: an entry whose key ids add up to a multiple of BLOCKED_EVERY is unmapped."""
    sums = keys.drop(columns=["work_date"]).astype("Float64").fillna(0).sum(axis=1).astype("int64")
    return [["Cost code is not mapped (bench)"] if total % BLOCKED_EVERY == 0 else [] for total in sums]


def _publish_some(engine: Engine, module: PublishModule) -> None:
    """Record part of the To do entries as a publisher would: mostly Published, some Updated, some Failed."""
    with session_scope(engine) as session:
        rows = session.connection().execute(
            select(_TABLE.c.id, _TABLE.c["values"]).where(
                _TABLE.c.module == module.value, _TABLE.c.status == PublishStatus.TO_DO.value)
        ).all()
        chosen = {int(entry_id): dict(values) for entry_id, values in rows if entry_id % 5 in (0, 1, 2)}
        token = f"bench-{module.value}"
        for entry_id in claim_entries(session, entry_ids=list(chosen), token=token):
            if entry_id % 41 == 0:
                record_failed(session, entry_id=entry_id, token=token, message="Procore refused it (bench)")
                continue
            sent = chosen[entry_id] | ({"bench": "older values"} if entry_id % 23 == 0 else {})
            record_published(session, entry_id=entry_id, token=token, procore_id=10_000_000 + entry_id,
                             procore_project_id=1, sent_values=sent)
    with Session(engine) as session:
        counts: Counter[str] = Counter({str(status): int(count) for status, count in session.connection().execute(
            select(_TABLE.c.status, func.count()).where(_TABLE.c.module == module.value)
            .group_by(_TABLE.c.status)).all()})
    print(f"  {module.value} entries: " + ", ".join(f"{label(status)} {count:,}" for status, count in counts.items()))


def _ours(engine: Engine, module: PublishModule) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """The dashboard's server-side work for the calendar, timed step by step."""
    seconds: dict[str, float] = {}

    def timed(name: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = work()
        seconds[name] = time.perf_counter() - started
        return result

    with session_scope(engine) as session:
        timed("refresh", lambda: refresh_changed(session, module=module, start=START, end=END, job_site_ids=None,
                                                 resolver=_blocking_resolver))
    with Session(engine) as session:
        counts, figures = timed("day_summary", lambda: day_summary(session, module=module, start=START, end=END))
        sites = timed("job_site_labels", lambda: job_site_labels(session))
    cells = timed("calendar_cells", lambda: calendar_cells(module, counts, figures, sites))
    timed("site_rows", lambda: site_rows(cells))
    events = timed("calendar_events", lambda: calendar_events(cells))
    timed("json", lambda: json.dumps(events))
    return events, seconds


def _baseline(engine: Engine, module: PublishModule) -> tuple[list[dict[str, Any]], float]:
    """The naive way: each job site's entries in their own query, events added up row by row."""
    started = time.perf_counter()
    with Session(engine) as session:
        sites = job_site_labels(session)
        events: list[dict[str, Any]] = []
        for site_id, site in sites.items():
            frame = entries_frame(session, module=module, start=START, end=END, job_site_ids=[site_id])
            days: dict[date, list[dict[Hashable, Any]]] = defaultdict(list)
            for row in frame.to_dict("records"):
                days[row["work_date"]].append(row)
            events.extend(_naive_event(module, site_id, site, day, rows) for day, rows in sorted(days.items()))
    return events, time.perf_counter() - started


def _naive_event(module: PublishModule, site_id: int, site: str, day: date,
                 rows: list[dict[Hashable, Any]]) -> dict[str, Any]:
    statuses = Counter(row["status"] for row in rows)
    summary = summary_status(statuses)
    assert summary is not None
    live = [row for row in rows if row["status"] != PublishStatus.DELETED.value]
    if module is PublishModule.MANPOWER:
        figures = f"{sum(r['manpower'] for r in live)} manpower · {sum(r['total_hours'] for r in live):g} h"
    elif module is PublishModule.TIMECARD:
        figures = f"{len(live)} timecard{'' if len(live) == 1 else 's'} · {sum(r['hours'] for r in live):g} h"
    else:
        codes = sorted(f"{r['cost_code']} {r['units']:g} {r['unit_of_measure']}" for r in live)
        shown = codes[:QUANTITY_CODES_SHOWN]
        figures = " · ".join([*shown, *([f"+{len(codes) - len(shown)} more"] if len(codes) > len(shown) else [])])
    text = " · ".join(f"{label(s)} {statuses[s.value]}" for s in PublishStatus if statuses[s.value]) \
        if len(statuses) > 1 else label(summary)
    return {"id": f"{site_id}|{day.isoformat()}", "title": f"{site}\n{figures}\n{text}", "start": day.isoformat(),
            "allDay": True, "backgroundColor": STATUS_STYLES[summary].hex}


def _assert_same(module: PublishModule, ours: list[dict[str, Any]], naive: list[dict[str, Any]]) -> None:
    """Stop when the two ways disagree: then the figures would compare different work."""
    mine = {event["id"]: event for event in ours}
    theirs = {event["id"]: event for event in naive}
    if mine.keys() != theirs.keys():
        raise SystemExit(f"{module.value}: the job-site days differ ({len(mine):,} ours, {len(theirs):,} baseline)")
    for key, event in mine.items():
        other = theirs[key]
        if event["backgroundColor"] != other["backgroundColor"] or \
                event["title"].split("\n")[1:] != other["title"].split("\n")[1:]:  # figures and statuses
            raise SystemExit(f"{module.value}: {key} differs: {event['title']!r} vs {other['title']!r}")


if __name__ == "__main__":
    main()
