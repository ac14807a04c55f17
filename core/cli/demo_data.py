"""`python -m core demo-data`: write a deterministic demo world into an empty time clock."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from core.bootstrap import open_database
from core.config import get_settings
from core.demo.generator import DemoSize, analyze, generate


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo-data",
        help="write demo data (job sites, employees, time logs, production quantities)",
        description="Write a deterministic demo world into an empty time clock. "
        "The same seed, sizes and end date always give the same data.",
    )
    defaults = DemoSize()
    parser.add_argument("--job-sites", type=int, default=defaults.job_sites, help="number of job sites")
    parser.add_argument("--employees", type=int, default=defaults.employees, help="number of employees")
    parser.add_argument("--days", type=int, default=defaults.days, help="days of time logs, ending on --end-date")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed")
    parser.add_argument(
        "--end-date", type=date.fromisoformat, default=None, help="last day (YYYY-MM-DD); today by default"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    size = DemoSize(
        job_sites=args.job_sites, employees=args.employees, days=args.days, seed=args.seed, end_date=args.end_date
    )
    engine = open_database(get_settings(), seed_demo=False)
    try:
        report = generate(engine, size, progress=print)
    except ValueError as error:
        print(f"error: {error}")
        return 2
    analyze(engine)
    for name, count in report.counts.items():
        print(f"  {name}: {count:,}")
    print(f"Done in {report.seconds:.1f} s")
    return 0
