"""Aggregating a million time logs: `core.aggregation` against a per-row ORM loop, on SQLite.

Run by hand from the project root (pytest never collects bench/):

    python bench/aggregation.py [--database-url URL] [--fresh] [--sample-sites N] [--repeat N]

The demo world (300 job sites, 15,600 employees, 60 days: about a million time
logs) is written once into a SQLite file in the temporary directory, or into the
PostgreSQL database of `--database-url` (an empty one, e.g.
postgresql+psycopg://procore:procore@localhost:5432/procore_bench), and reused
by later runs (`--fresh` writes it again; on PostgreSQL, drop the database instead). Both ways compute all three modules
over the whole range: manpower and timecards from the time logs, and production
quantities. Ours is what a full recompute runs: the time logs read once for
both modules (`core.aggregation.source.shared_reads`), each module's aggregate
function, and the quantities. The baseline selects TimeLog and
ProductionQuantity objects through a SQLModel session and adds each row into
Python dicts, reading the time logs once for both modules too. Before any figure
is printed, both results are checked equal key by key: hours, head counts, pay
classes, units and units of measure.

Then, on SQLite, the three ways of reading the time logs side by side
(`bench/readers.py`), and, each in a process of its own (`bench/full_refresh.py`):
reading, aggregating and building every module's entries (goal ≤ 2 s) beside its
floor (the same columns read the same way and passed over once, nothing built);
the whole refresh from an empty entries table, writes included (goal ≤ 8 s), and
that process's peak memory (goal ≤ 1 GiB). Every figure comes with its CPU
time and the load average: the machine may be shared.

With `--sample-sites N` the ORM loop runs on the first N job sites only, and its
time is scaled linearly to all rows (said so in the output).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

import pandas as pd
import pyarrow as pa
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bench.demo_database import demo_database  # noqa: E402
from bench.readers import compare_readers, cpu_seconds
from core.aggregation import (
    MANPOWER_KEY,
    MANPOWER_VALUES,
    QUANTITY_KEY,
    QUANTITY_VALUES,
    TIMECARD_KEY,
    TIMECARD_VALUES,
    aggregate_manpower,
    aggregate_quantities,
    aggregate_timecards,
    load_production_quantities,
    load_time_logs,
)
from core.aggregation.columnar import read_table
from core.aggregation.quantities import UNIT_SEPARATOR
from core.aggregation.rounding import MICROS_PER_HOUR, round_hours
from core.aggregation.source import shared_reads
from core.demo.generator import DemoSize
from core.models import JobSite, ProductionQuantity, TimeLog

END = date(2026, 11, 20)
SIZE = DemoSize(job_sites=300, employees=15_600, days=60, end_date=END)
START = END - timedelta(days=SIZE.days - 1)
GOAL_SECONDS, GOAL_REFRESH_SECONDS, GOAL_PEAK_MIB = 2.0, 8.0, 1024.0
# The time logs core.aggregation counts: live and closed (core/aggregation/source.py).
_LIVE_CLOSED = (col(TimeLog.deleted_at).is_(None), col(TimeLog.clock_out).is_not(None))

Results = dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]


@dataclass
class Timed:
    results: Results
    seconds: dict[str, float]
    time_logs: int
    loading: dict[str, float] = field(default_factory=dict)
    cpu: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def main() -> None:
    options = _options()
    engine = _demo_world(options.database_url, fresh=options.fresh)
    sites = _sample_sites(engine, options.sample_sites)
    runs = [_ours(engine, None) for _ in range(options.repeat)]
    ours = sorted(runs, key=lambda run: run.total)[len(runs) // 2]  # the median run
    print(f"database: {engine.dialect.name}; {os.cpu_count()} CPUs")
    print(
        f"time logs aggregated: {ours.time_logs:,} (live, closed, dated {START} to {END}); "
        f"production quantities: {len(ours.results['quantities']):,} keys"
    )
    print(
        f"core.aggregation, median of {options.repeat} runs: "
        + ", ".join(f"{name} {seconds:.2f} s (reading {ours.loading[name]:.2f} s)"
                    for name, seconds in ours.seconds.items())
        + f"; total {ours.total:.2f} s (CPU {ours.cpu:.2f} s, load {os.getloadavg()[0]:.1f}; "
        "manpower's reading is the one read of the time logs)"
    )

    scan, one_column = _floor(engine)
    print(
        f"floor on this machine: the database scans the time logs once in {scan:.2f} s (counting them); "
        f"handing one id column of them to Python takes {one_column:.2f} s; "
        f"timecards: {len(ours.results['timecards']):,} keys from {ours.time_logs:,} time logs, "
        "so their output is as large as their input"
    )

    checked = ours if sites is None else _ours(engine, sites)
    naive = _orm_loop(engine, sites)
    _assert_same(checked.results, naive.results)
    print(
        f"ORM loop: {naive.total:.2f} s for {naive.time_logs:,} time logs "
        f"({', '.join(f'{name} {seconds:.2f} s' for name, seconds in naive.seconds.items())}); "
        "results equal to core.aggregation's, key by key"
    )
    orm_seconds = naive.total
    if sites is not None:
        orm_seconds = naive.total * ours.time_logs / naive.time_logs
        print(
            f"ORM loop scaled linearly from {len(sites)} sampled job sites ({naive.time_logs:,} time logs) "
            f"to {ours.time_logs:,}: {orm_seconds:.1f} s (an estimate, not a measurement)"
        )
    print(f"ratio to the ORM loop (reading and aggregating): {orm_seconds / ours.total:.0f}x (no goal)")
    if engine.dialect.name == "sqlite":
        for read in compare_readers(engine, START, END):
            print(f"reading {read.rows:,} time logs, {read.way}: {read.wall:.2f} s "
                  f"(CPU {read.cpu:.2f} s, load {read.load:.1f})")
    whole = _full_refresh(engine)
    building, refresh = whole["building"], whole["refresh"]
    built, read = building["all"], building["reading"]
    print(f"reading, aggregating and building every module's entries ({sum(building['entries']):,} entries): "
          f"{built['wall']:.2f} s (CPU {built['cpu']:.2f} s, load {read['load']:.1f}; reading {read['wall']:.2f} s, "
          f"CPU {read['cpu']:.2f} s) (goal ≤ {GOAL_SECONDS:g} s)")
    floor = whole["floor"]
    print(f"floor of building here: reading the time logs' columns as the build reads them and one pass over each "
          f"({floor['result']:,} rows): {floor['wall']:.2f} s (CPU {floor['cpu']:.2f} s, load {floor['load']:.1f})")
    print(f"whole refresh from an empty entries table, {refresh['result']:,} entries written: "
          f"{refresh['wall']:.2f} s (CPU {refresh['cpu']:.2f} s, load {refresh['load']:.1f}) "
          f"(goal ≤ {GOAL_REFRESH_SECONDS:g} s); then the write-ahead log copied back on a thread: "
          f"{whole['checkpoint']['wall']:.2f} s more")
    print(f"peak memory of the refresh's process: {whole['peak_mib']:.0f} MiB (goal ≤ {GOAL_PEAK_MIB:g} MiB); "
          f"of building's: {whole['building_peak_mib']:.0f} MiB; their SQLite reader process: "
          f"{whole['child_peak_mib']:.0f} MiB")
    print(f"aggregation_1m: {building['all']['wall']:.2f} s to build every entry, {refresh['wall']:.2f} s to refresh "
          f"them all, peak {whole['peak_mib']:.0f} MiB (goal ≤ {GOAL_SECONDS:g} s, ≤ {GOAL_REFRESH_SECONDS:g} s, "
          f"≤ {GOAL_PEAK_MIB:g} MiB)")


def _full_refresh(engine: Engine) -> dict[str, Any]:
    """`bench/full_refresh.py`'s two parts, each in a process of its own: their figures as they printed them (the
    refresh's peak memory as `peak_mib`, building's as `building_peak_mib`)."""
    script = Path(__file__).resolve().parent / "full_refresh.py"
    url = engine.url.render_as_string(hide_password=False)
    parts = {}
    for part in ("building", "refresh"):
        done = subprocess.run([sys.executable, str(script), url, str(START), str(END), part],  # noqa: S603 (ours)
                              capture_output=True, text=True, check=True)
        parts[part] = json.loads(done.stdout.strip().splitlines()[-1])
    figures: dict[str, Any] = {**parts["building"], **parts["refresh"],
                               "building_peak_mib": parts["building"]["peak_mib"],
                               "child_peak_mib": max(parts[part]["child_peak_mib"] for part in parts)}
    return figures


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL database to use instead of the SQLite file")
    parser.add_argument("--fresh", action="store_true", help="write the demo world again instead of reusing it")
    parser.add_argument("--sample-sites", type=int, default=None, help="run the ORM loop on the first N job sites")
    parser.add_argument("--repeat", type=int, default=3, help="runs of core.aggregation to take the median of")
    return parser.parse_args()


def _demo_world(database_url: str | None, *, fresh: bool) -> Engine:
    name = f"procore_bench_{SIZE.job_sites}x{SIZE.employees}x{SIZE.days}_seed{SIZE.seed}_{END}"
    engine, _ = demo_database(name, SIZE, database_url=database_url, fresh=fresh)
    return engine


def _sample_sites(engine: Engine, count: int | None) -> list[int] | None:
    if count is None:
        return None
    with Session(engine) as session:
        ids = session.exec(select(JobSite.id).order_by(col(JobSite.id)).limit(count))
        return [site_id for site_id in ids if site_id is not None]


def _ours(engine: Engine, sites: Collection[int] | None) -> Timed:
    """What a full recompute runs for each module: its loader (the time logs read once), its aggregate."""
    seconds: dict[str, float] = {}
    loading: dict[str, float] = {}
    frames: dict[str, pd.DataFrame] = {}
    started_cpu = cpu_seconds()
    with Session(engine) as session, shared_reads():
        for name, load, aggregate in (
            ("manpower", load_time_logs, aggregate_manpower),
            ("timecards", load_time_logs, aggregate_timecards),
            ("quantities", load_production_quantities, aggregate_quantities),
        ):
            started = time.perf_counter()
            source = load(session, start=START, end=END, job_site_ids=sites)
            loading[name] = time.perf_counter() - started
            frames[name] = aggregate(source)
            seconds[name] = time.perf_counter() - started
            if name == "manpower":
                rows = len(source)
    results = {
        "manpower": _keyed(frames["manpower"], MANPOWER_KEY, MANPOWER_VALUES),
        "timecards": _keyed(frames["timecards"], TIMECARD_KEY, TIMECARD_VALUES),
        "quantities": _keyed(frames["quantities"], QUANTITY_KEY, QUANTITY_VALUES),
    }
    return Timed(results, seconds, rows, loading, cpu_seconds() - started_cpu)


def _floor(engine: Engine) -> tuple[float, float]:
    """Seconds for the database to scan the live, closed time logs, and to hand one of their columns to Python
    the way `core.aggregation` reads (ADBC on PostgreSQL, the cursor on SQLite).

    No aggregation that reads the rows this way can be faster than the second figure; the first is what is
    left even for work done inside the database.
    """
    one_id = pa.schema([pa.field("employee_id", pa.int64(), nullable=False)])
    with Session(engine) as session:
        started = time.perf_counter()
        session.connection().execute(
            select(func.count(), func.sum(TimeLog.break_minutes)).select_from(TimeLog).where(*_LIVE_CLOSED)
        ).one()
        scan = time.perf_counter() - started
        started = time.perf_counter()
        read_table(session, [select(TimeLog.employee_id).where(*_LIVE_CLOSED)], one_id)
        one_column = time.perf_counter() - started
    return scan, one_column


def _keyed(frame: pd.DataFrame, key: list[str], values: list[str]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """key tuple → value tuple, with None for missing ids and numbers as exact Decimals."""
    plain = frame.astype(object).where(frame.notna(), None)
    return {
        tuple(row[: len(key)]): tuple(_exact(value) for value in row[len(key) :])
        for row in plain[key + values].itertuples(index=False, name=None)
    }


def _exact(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    return int(value) if isinstance(value, int) else value


def _orm_loop(engine: Engine, sites: Collection[int] | None) -> Timed:
    """The baseline: TimeLog and ProductionQuantity objects, added up row by row in dicts."""
    with Session(engine) as session:
        started = time.perf_counter()
        zones = {site.id: ZoneInfo(site.time_zone) for site in session.exec(select(JobSite))}
        manpower: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, set()])
        timecards: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, {}])
        query = select(TimeLog).where(*_LIVE_CLOSED)
        if sites is not None:
            query = query.where(col(TimeLog.job_site_id).in_(sites))
        rows = 0
        for log in session.exec(query.execution_options(yield_per=5_000)):
            day = log.clock_in.astimezone(zones[log.job_site_id]).date()
            if not START <= day <= END:
                continue
            rows += 1
            assert log.clock_out is not None  # the query keeps closed logs only
            worked = (log.clock_out - log.clock_in) // timedelta(microseconds=1) - log.break_minutes * 60_000_000
            crew = manpower[(log.job_site_id, day, log.company_id, log.crew_id)]
            crew[0] += worked
            crew[1].add(log.employee_id)
            card = timecards[(log.job_site_id, day, log.employee_id, log.pay_id_id, log.cost_code_id)]
            card[0] += worked
            if log.pay_class_id is not None:
                vote = card[1].setdefault(log.pay_class_id, [0, log.clock_in])
                vote[0] += worked
                vote[1] = max(vote[1], log.clock_in)
        logs_seconds = time.perf_counter() - started
        started = time.perf_counter()
        quantities = _orm_quantities(session, sites)
        quantity_seconds = time.perf_counter() - started
    results: Results = {
        "manpower": {key: _crew_values(total, people) for key, (total, people) in manpower.items()},
        "timecards": {key: (_hours(total), _pay_class(votes)) for key, (total, votes) in timecards.items()},
        "quantities": quantities,
    }
    return Timed(results, {"time logs (manpower and timecards)": logs_seconds, "quantities": quantity_seconds}, rows)


def _orm_quantities(session: Session, sites: Collection[int] | None) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    query = select(ProductionQuantity).where(
        col(ProductionQuantity.deleted_at).is_(None),
        ProductionQuantity.date >= START,
        ProductionQuantity.date <= END,
    )
    if sites is not None:
        query = query.where(col(ProductionQuantity.job_site_id).in_(sites))
    sums: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [Decimal(0), set()])
    for row in session.exec(query.execution_options(yield_per=5_000)):
        total = sums[(row.job_site_id, row.date, row.cost_code_id)]
        total[0] += row.units
        total[1].add(row.unit_of_measure.strip())
    return {key: (UNIT_SEPARATOR.join(sorted(units)), amount) for key, (amount, units) in sums.items()}


def _hours(micros: int, per: int = 1) -> Decimal:
    return round_hours(Decimal(micros) / MICROS_PER_HOUR / per)


def _crew_values(total: int, people: set[int]) -> tuple[Decimal, int, Decimal]:
    return _hours(total), len(people), _hours(total, len(people))


def _pay_class(votes: dict[int, list[Any]]) -> int | None:
    """Most worked time, then the latest clock-in, then the lowest id (core.aggregation.timecards)."""
    if not votes:
        return None
    return max(votes, key=lambda pay_class: (votes[pay_class][0], votes[pay_class][1], -pay_class))


def _assert_same(ours: Results, naive: Results) -> None:
    """Stop the benchmark when the two ways disagree: then the figures would compare different work."""
    for module, expected in ours.items():
        got = naive[module]
        if got.keys() != expected.keys():
            raise SystemExit(f"{module}: the keys differ ({len(got):,} from the ORM loop, {len(expected):,} ours)")
        wrong = [key for key, values in expected.items() if got[key] != values]
        if wrong:
            first = wrong[0]
            raise SystemExit(f"{module}: {len(wrong):,} keys differ, e.g. {first}: {expected[first]} vs {got[first]}")


if __name__ == "__main__":
    main()
