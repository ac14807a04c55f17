"""`python -m core demo-data`: write a deterministic demo world into an empty time clock."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from core.bootstrap import open_database
from core.cli.arguments import EARLIEST_DAY, bounded, day
from core.config import get_settings
from core.demo.generator import DemoSize, analyze, generate
from core.errors import ValidationError

# Far beyond the largest bench world (15,600 employees over 60 days), and small enough to fit in memory.
MAX_JOB_SITES = 10_000
MAX_EMPLOYEES = 100_000
MAX_DAYS = 3_660
MAX_EMPLOYEE_DAYS = 5_000_000
MAX_SEED = 2**32 - 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo-data",
        help="write demo data (job sites, employees, time logs, production quantities)",
        description="Write a deterministic demo world into an empty time clock. "
        "The same seed, sizes and end date always give the same data.",
    )
    defaults = DemoSize()
    parser.add_argument("--job-sites", type=bounded(1, MAX_JOB_SITES), default=defaults.job_sites,
                        help=f"number of job sites (1 to {MAX_JOB_SITES:,})")
    parser.add_argument("--employees", type=bounded(1, MAX_EMPLOYEES), default=defaults.employees,
                        help=f"number of employees (1 to {MAX_EMPLOYEES:,})")
    parser.add_argument("--days", type=bounded(1, MAX_DAYS), default=defaults.days,
                        help=f"days of time logs, ending on --end-date (1 to {MAX_DAYS:,})")
    parser.add_argument("--seed", type=bounded(0, MAX_SEED), default=defaults.seed, help="random seed")
    parser.add_argument("--end-date", type=day, default=None, help="last day (YYYY-MM-DD); today by default")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    size = DemoSize(
        job_sites=args.job_sites, employees=args.employees, days=args.days, seed=args.seed, end_date=args.end_date
    )
    _check_size(size)
    engine = open_database(get_settings(), seed_demo=False)
    try:
        report = generate(engine, size, progress=print)
    except ValueError as error:
        raise ValidationError(f"{error}.") from None
    analyze(engine)
    for name, count in report.counts.items():
        print(f"  {name}: {count:,}")
    print(f"Done in {report.seconds:.1f} s")
    return 0


def _check_size(size: DemoSize) -> None:
    if size.employees * size.days > MAX_EMPLOYEE_DAYS:
        raise ValidationError(
            f"--employees {size.employees:,} over --days {size.days:,} is more than {MAX_EMPLOYEE_DAYS:,} "
            "employee-days; ask for fewer."
        )
    if size.end_date is not None and size.end_date - timedelta(days=size.days - 1) < EARLIEST_DAY:
        raise ValidationError(f"--days {size.days:,} ending on {size.end_date} starts before {EARLIEST_DAY}.")
