"""Validating a 20 MB time-log CSV file, against the pairwise overlap check it replaced.

Run by hand from the project root (pytest never collects bench/):

    python bench/csv_import.py [--fresh] [--rows N] [--small N]

A small demo world (400 employees) is written once into a SQLite file in the
temporary directory and reused. The file gives each employee one shift a day
from 2018 on, as many rows as fit in 20 MB, and ends with one row naming an
unknown employee, so the import checks every row and refuses the file, as an
upload with a typo at the bottom would be: the time is all validation, no
writing. A second, good file of `--small` rows is then validated both ways:
ours, and the pairwise overlap check the import used before (every row against
every earlier row, which took 35 s for 12,000 rows), alone.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

from sqlmodel import Session, select  # noqa: E402

from bench.demo_database import demo_database  # noqa: E402
from core import access  # noqa: E402
from core.demo.generator import DemoSize  # noqa: E402
from core.models import Employee, JobSite  # noqa: E402
from core.timeclock.csv_import import MAX_BYTES, CsvImportError, import_time_logs  # noqa: E402

HEADER = "employee_number,job_site_number,cost_code,pay_id,clock_in,clock_out,break_minutes\n"
GOAL_SECONDS = 10
FIRST_DAY = date(2018, 1, 1)


def shifts(employees: list[str], site: str, *, limit_bytes: int, limit_rows: int) -> str:
    """One 07:00–15:30 shift a day per employee, day after day, until either limit is reached."""
    out, size, rows, day = io.StringIO(), len(HEADER), 0, FIRST_DAY
    out.write(HEADER)
    while rows < limit_rows:
        for number in employees:
            line = f"{number},{site},03-300,REG,{day} 07:00,{day} 15:30,30\n"
            if size + len(line) > limit_bytes or rows == limit_rows:
                return out.getvalue()
            out.write(line)
            size, rows = size + len(line), rows + 1
        day += timedelta(days=1)
    return out.getvalue()


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def cpu_timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (the machine is shared: CPU time shows the work alone)."""
    cpu = time.process_time()
    wall = timed(action)
    return wall, time.process_time() - cpu


def refused(session: Session, data: str) -> None:
    try:
        import_time_logs(session, data=data, actor=access.local_admin(session))
    except CsvImportError as error:
        if [e.line for e in error.errors] != [data.count("\n")]:  # only the typo at the bottom
            raise
    else:
        raise AssertionError("the file with a typo was imported")
    session.rollback()


def pairwise_overlaps(data: str) -> int:
    """The check the import used before: each row against every earlier row of the same employee."""
    seen: list[tuple[str, datetime, datetime]] = []
    clashes = 0
    for line in data.splitlines()[1:]:
        cells = line.split(",")
        start, end = (datetime.fromisoformat(cells[i]).replace(tzinfo=UTC) for i in (4, 5))
        clashes += any(e == cells[0] and start < other_end and other_start < end
                       for e, other_start, other_end in seen)
        seen.append((cells[0], start, end))
    return clashes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="write the demo world again")
    parser.add_argument("--rows", type=int, default=10**9, help="cap the large file's rows (default: 20 MB's worth)")
    parser.add_argument("--small", type=int, default=4000, help="rows of the file both checks validate")
    args = parser.parse_args()
    engine, _ = demo_database("csv_import_bench", DemoSize(employees=400, end_date=date(2026, 11, 20)),
                              fresh=args.fresh)
    with Session(engine) as session:
        access.ensure_defaults(session)
        session.commit()
        employees = [e.number for e in session.exec(select(Employee))]
        site = session.exec(select(JobSite.number).limit(1)).one()
        large = shifts(employees, site, limit_bytes=MAX_BYTES - 100, limit_rows=args.rows)
        large += f"NOBODY,{site},03-300,REG,2026-01-05 07:00,2026-01-05 15:30,30\n"
        rows = large.count("\n") - 1
        print(f"large file: {rows:,} rows, {len(large) / 1024 / 1024:.1f} MB")
        floor = timed(lambda: list(csv.reader(io.StringIO(large))))
        wall, cpu = cpu_timed(lambda: refused(session, large))
        print(f"csv_import_20mb: {wall:.1f} s (goal ≤ {GOAL_SECONDS} s); CPU {cpu:.1f} s, "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"  the floor on this machine now: csv.reader alone splits the file in {floor:.2f} s "
              f"(ours is {wall / floor:.0f}x that)")
        small = shifts(employees, site, limit_bytes=MAX_BYTES, limit_rows=args.small)
        ours = timed(lambda: import_time_logs(session, data=small, actor=access.local_admin(session)))
        session.rollback()
        before = timed(lambda: pairwise_overlaps(small))
        print(f"{args.small:,} good rows: whole validation and write {ours:.2f} s; "
              f"the pairwise overlap check alone {before:.2f} s (at {rows:,} rows, quadratic: about "
              f"{before * (rows / args.small) ** 2 / 3600:.0f} h)")


if __name__ == "__main__":
    main()
