"""Writes a deterministic demo world: reference data, weeks of time logs, production quantities.

The same seed, sizes and end date always give the same records. Time logs are
generated as whole arrays (numpy/pandas) and written with `bulk_insert`, so a
million of them take seconds, not minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.db import bulk_insert
from core.demo import catalogue
from core.demo.activity import World, production_quantities, time_logs
from core.models import Company, CostCode, Crew, Employee, JobSite, PayClass, PayID
from core.models.ids import saved_id
from core.timeclock.dirty import forget_refreshed

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoSize:
    """How big a world to make."""

    job_sites: int = 8
    employees: int = 40
    days: int = 21
    seed: int = 7
    end_date: date | None = None  # last day with time logs; today (UTC) when None

    def __post_init__(self) -> None:
        for name in ("job_sites", "employees", "days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


@dataclass
class DemoReport:
    """What was written, and how long it took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def has_time_clock_data(session: Session) -> bool:
    """True when any job site exists (the world is not empty)."""
    return session.exec(select(func.count()).select_from(JobSite)).one() > 0


def generate(engine: Engine, size: DemoSize, *, progress: Progress | None = None) -> DemoReport:
    """Write a demo world of `size` into an empty time clock."""
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    report = DemoReport()
    rng = np.random.default_rng(size.seed)
    # One transaction: a failure half-way leaves the time clock empty, not half-filled.
    with engine.begin() as connection, Session(bind=connection) as session:
        if has_time_clock_data(session):
            raise ValueError("the time clock already has data; demo data goes only into an empty one")
        say("Writing companies, crews, pay classes, pay IDs, job sites, cost codes and employees")
        world = _write_reference_data(session, size, rng, report)
        end = size.end_date or datetime.now(UTC).date()
        days = pd.date_range(end=pd.Timestamp(end), periods=size.days, freq="D")
        say(f"Generating time logs for {size.employees:,} employees over {size.days} days")
        logs = time_logs(world, days, rng)
        say(f"Writing {len(logs):,} time logs")
        report.counts["time logs"] = bulk_insert(connection, "time_log", logs)
        quantities = production_quantities(world, logs, rng)
        say(f"Writing {len(quantities):,} production quantities")
        report.counts["production quantities"] = bulk_insert(connection, "production_quantity", quantities)
        forget_refreshed(session)  # a whole new time clock: every range is computed whole next time
    report.seconds = time.perf_counter() - started
    return report


def _write_reference_data(session: Session, size: DemoSize, rng: np.random.Generator, report: DemoReport) -> World:
    companies = [Company(name=c.name, number=c.number, is_own=c.is_own) for c in catalogue.COMPANIES]
    pay_classes = [PayClass(number=number, name=name) for number, name in catalogue.PAY_CLASSES]
    pay_ids = [PayID(code=code, name=name) for code, name in catalogue.PAY_IDS]
    session.add_all([*companies, *pay_classes, *pay_ids])
    session.flush()
    crews = [
        Crew(name=crew, company_id=saved_id(company))
        for company, seed in zip(companies, catalogue.COMPANIES, strict=True)
        for crew in seed.crews
    ]
    sites = [_job_site(index) for index in range(1, size.job_sites + 1)]
    standard = [
        CostCode(code=c.code, name=c.name, unit_of_measure=c.unit_of_measure) for c in catalogue.STANDARD_CODES
    ]
    session.add_all([*crews, *sites, *standard])
    session.flush()
    specific = [
        CostCode(
            code=catalogue.site_code(index),
            name=catalogue.SITE_CODE_NAME,
            unit_of_measure=catalogue.SITE_CODE_UOM,
            job_site_id=site.id,
        )
        for index, site in enumerate(sites, start=1)
    ]
    session.add_all(specific)
    session.flush()
    employees, hints = _employees(size.employees, companies, crews, pay_classes, len(sites), rng)
    session.add_all(employees)
    session.flush()
    report.counts.update(
        {
            "companies": len(companies),
            "crews": len(crews),
            "pay classes": len(pay_classes),
            "pay IDs": len(pay_ids),
            "job sites": len(sites),
            "cost codes": len(standard) + len(specific),
            "employees": len(employees),
        }
    )
    return _world(companies, pay_ids, sites, standard, specific, employees, hints)


def _job_site(index: int) -> JobSite:
    seed = catalogue.site_seed(index)
    return JobSite(
        name=seed.name, number=catalogue.site_number(index), time_zone=seed.time_zone, address=seed.address
    )


def _employees(
    count: int,
    companies: list[Company],
    crews: list[Crew],
    pay_classes: list[PayClass],
    site_count: int,
    rng: np.random.Generator,
) -> tuple[list[Employee], pd.DataFrame]:
    """The employees, and per employee what generation needs but the table does not hold."""
    shares = np.array([c.share for c in catalogue.COMPANIES])
    company_index = rng.choice(len(companies), size=count, p=shares / shares.sum())
    class_index = rng.choice(len(pay_classes), size=count, p=np.array(catalogue.PAY_CLASS_WEIGHTS))
    first = rng.integers(0, len(catalogue.FIRST_NAMES), size=count)
    last = rng.integers(0, len(catalogue.LAST_NAMES), size=count)
    crews_by_company = [[crew.id for crew in crews if crew.company_id == c.id] for c in companies]
    employees = [
        Employee(
            first_name=catalogue.FIRST_NAMES[first[i]],
            last_name=catalogue.LAST_NAMES[last[i]],
            number=catalogue.employee_number(i + 1),
            company_id=companies[company_index[i]].id,
            pay_class_id=pay_classes[class_index[i]].id,
        )
        for i in range(count)
    ]
    hints = pd.DataFrame(
        {
            "company_index": company_index,
            "crew_id": [crews_by_company[c][i % len(crews_by_company[c])] for i, c in enumerate(company_index)],
            "home_site": np.arange(count) % site_count,
        }
    )
    return employees, hints


def _world(
    companies: list[Company],
    pay_ids: list[PayID],
    sites: list[JobSite],
    standard: list[CostCode],
    specific: list[CostCode],
    employees: list[Employee],
    hints: pd.DataFrame,
) -> World:
    site_code_ids = np.array([[c.id for c in standard] + [specific[s].id] for s in range(len(sites))])
    standard_index = {c.code: i for i, c in enumerate(catalogue.STANDARD_CODES)}
    by_company: dict[str, list[str | None]] = {
        "NWB": ["01-100", "06-100", "31-200", None],  # None: the site-specific code
        "APX": ["03-300", "02-200"],
        "BRT": ["26-050"],
        "SUM": ["05-100"],
        "EVG": ["09-250"],
    }
    slots_per_company = [
        [len(standard) if code is None else standard_index[code] for code in by_company[c.number]] for c in companies
    ]
    code_slots = np.array([[slots[k % len(slots)] for k in range(12)] for slots in slots_per_company])
    frame = hints.assign(
        employee_id=[saved_id(e) for e in employees],
        company_id=[e.company_id for e in employees],
        pay_class_id=np.array([e.pay_class_id for e in employees], dtype=np.int64),  # every demo employee has one
    )
    return World(
        site_ids=np.array([s.id for s in sites]),
        site_zones=tuple(s.time_zone for s in sites),
        company_ids=np.array([c.id for c in companies]),
        code_slots=code_slots,
        employees=frame,
        pay_ids={p.code: saved_id(p) for p in pay_ids},
        code_uom={saved_id(c): c.unit_of_measure for c in [*standard, *specific]},
        site_code_ids=site_code_ids,
    )


def analyze(engine: Engine) -> None:
    """Refresh the planner's statistics after a bulk load."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
