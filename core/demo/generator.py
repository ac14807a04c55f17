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

from core.db import bulk_insert, utcnow
from core.demo import catalogue
from core.models import Company, CostCode, Crew, Employee, JobSite, PayClass, PayID
from core.models.ids import saved_id
from core.timeclock.dirty import forget_refreshed
from core.timeclock.rules import work_dates

Progress = Callable[[str], None]

REGULAR_HOURS = 8.0
OVERTIME_HOURS = 4.0  # hours past REGULAR_HOURS paid as overtime; beyond that, double time
WORK_PROBABILITY_BY_WEEKDAY = (0.92, 0.93, 0.93, 0.92, 0.88, 0.30, 0.04)
NIGHT_SHIFT_SHARE = 0.1
TRAVEL_SHARE = 0.005
# Units produced per worked hour, by unit of measure, for production quantities.
RATE_PER_HOUR = {"CY": 1.6, "TON": 0.25, "LF": 9.0, "SF": 32.0}
FRACTIONAL_QUANTITY_SHARE = 0.08


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


@dataclass(frozen=True)
class _World:
    site_ids: np.ndarray
    site_zones: tuple[str, ...]
    company_ids: np.ndarray
    code_slots: np.ndarray  # [company, k]: index into a site's codes (standard codes, then the site's own)
    employees: pd.DataFrame
    pay_ids: dict[str, int]
    code_uom: dict[int, str]
    site_code_ids: np.ndarray  # [site, standard code index or the site code last]


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
        logs = _time_logs(world, days, rng)
        say(f"Writing {len(logs):,} time logs")
        report.counts["time logs"] = bulk_insert(connection, "time_log", logs)
        quantities = _production_quantities(world, logs, rng)
        say(f"Writing {len(quantities):,} production quantities")
        report.counts["production quantities"] = bulk_insert(connection, "production_quantity", quantities)
        forget_refreshed(session)  # a whole new time clock: every range is computed whole next time
    report.seconds = time.perf_counter() - started
    return report


def _write_reference_data(session: Session, size: DemoSize, rng: np.random.Generator, report: DemoReport) -> _World:
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
) -> _World:
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
    return _World(
        site_ids=np.array([s.id for s in sites]),
        site_zones=tuple(s.time_zone for s in sites),
        company_ids=np.array([c.id for c in companies]),
        code_slots=code_slots,
        employees=frame,
        pay_ids={p.code: saved_id(p) for p in pay_ids},
        code_uom={saved_id(c): c.unit_of_measure for c in [*standard, *specific]},
        site_code_ids=site_code_ids,
    )


def _time_logs(world: _World, days: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    shifts = _shifts(world, days, rng)
    segments = _split_into_pay_segments(shifts, world.pay_ids, rng)
    now = pd.Timestamp(utcnow())
    segments.loc[segments["clock_out"] > now, "clock_out"] = pd.NaT  # still clocked in
    segments = segments[segments["clock_in"] <= now]
    stamp = segments["clock_out"].fillna(segments["clock_in"])
    segments = segments.assign(created_at=stamp, updated_at=stamp, deleted_at=_no_instants(segments.index))
    return segments.reset_index(drop=True)


def _no_instants(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")


def _shifts(world: _World, days: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """One row per worked employee-day: where, when (UTC), how long, under which cost code."""
    staff = world.employees
    n_emp, n_days = len(staff), len(days)
    emp = np.repeat(np.arange(n_emp), n_days)
    day = np.tile(np.arange(n_days), n_emp)
    weekday = days.day_of_week.to_numpy()[day]
    works = rng.random(emp.size) < np.asarray(WORK_PROBABILITY_BY_WEEKDAY)[weekday]
    emp, day = emp[works], day[works]
    n = emp.size
    home = staff["home_site"].to_numpy()[emp]
    roams = rng.random(n) < 0.08
    site = np.where(roams, rng.integers(0, len(world.site_ids), size=n), home)
    night = (staff["employee_id"].to_numpy()[emp] % int(1 / NIGHT_SHIFT_SHARE)) == 0
    night_start = 19 * 60 + 15 * rng.integers(0, 13, size=n)
    day_start = 6 * 60 + 15 * rng.integers(0, 10, size=n)
    start_minutes = np.where(night, night_start, day_start)
    paid = np.clip(np.round(rng.normal(8.3, 1.3, size=n) * 4) / 4, 4.0, 13.5)
    local_start = days.to_numpy()[day] + pd.to_timedelta(start_minutes, unit="min").to_numpy()
    clock_in = _to_utc(local_start, site, world.site_zones)
    company_index = staff["company_index"].to_numpy()[emp]
    code_slot = world.code_slots[company_index, rng.integers(0, world.code_slots.shape[1], size=n)]
    return pd.DataFrame(
        {
            "employee_id": staff["employee_id"].to_numpy()[emp],
            "job_site_id": world.site_ids[site],
            "cost_code_id": world.site_code_ids[site, code_slot],
            "pay_class_id": staff["pay_class_id"].to_numpy()[emp],
            "crew_id": staff["crew_id"].to_numpy()[emp],
            "company_id": staff["company_id"].to_numpy()[emp],
            "clock_in": clock_in,
            "paid_hours": paid,
            "break_minutes": np.where(paid > 6, 30, 0),
        }
    )


def _to_utc(local: np.ndarray, site: np.ndarray, zones: tuple[str, ...]) -> pd.Series:
    result = pd.Series(pd.NaT, index=range(local.size), dtype="datetime64[ns, UTC]")
    zone_of_site = np.array(zones)[site] if site.size else np.array([], dtype=str)
    for name in set(zones):
        mask = zone_of_site == name
        if mask.any():
            stamps = pd.DatetimeIndex(local[mask]).tz_localize(name, ambiguous=True, nonexistent="shift_forward")
            result[mask] = stamps.tz_convert("UTC")
    return result


def _split_into_pay_segments(shifts: pd.DataFrame, pay_ids: dict[str, int], rng: np.random.Generator) -> pd.DataFrame:
    """A shift becomes up to three logs: REG (with the break), then OT, then DT, back to back."""
    paid = shifts["paid_hours"].to_numpy()
    parts = {
        "REG": np.minimum(paid, REGULAR_HOURS),
        "OT": np.clip(paid - REGULAR_HOURS, 0, OVERTIME_HOURS),
        "DT": np.clip(paid - REGULAR_HOURS - OVERTIME_HOURS, 0, None),
    }
    frames = []
    offset = pd.to_timedelta(np.zeros(len(shifts)), unit="h")
    for code, hours in parts.items():
        has = hours > 0
        breaks = shifts["break_minutes"].to_numpy() if code == "REG" else np.zeros(len(shifts), dtype=int)
        length = pd.to_timedelta(hours * 60 + breaks, unit="min")
        segment = shifts.drop(columns=["paid_hours"]).assign(
            clock_in=shifts["clock_in"] + offset,
            clock_out=shifts["clock_in"] + offset + length,
            break_minutes=breaks,
            pay_id_id=pay_ids[code],
        )
        frames.append(segment[has])
        offset = offset + length
    logs: pd.DataFrame = pd.concat(frames).sort_values(["clock_in", "employee_id"], kind="stable")
    travel = (logs["pay_id_id"] == pay_ids["REG"]) & (rng.random(len(logs)) < TRAVEL_SHARE)
    logs.loc[travel, "pay_id_id"] = pay_ids["TRV"]
    return logs


def _production_quantities(world: _World, logs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Quantities for the tracked codes worked on each site-day, in proportion to the hours."""
    uom = logs["cost_code_id"].map(world.code_uom)
    tracked = uom.isin(list(RATE_PER_HOUR))
    worked = logs[tracked & logs["clock_out"].notna()].copy()
    if worked.empty:
        return pd.DataFrame()
    worked["hours"] = (worked["clock_out"] - worked["clock_in"]).dt.total_seconds() / 3600
    worked["zone"] = worked["job_site_id"].map(dict(zip(world.site_ids, world.site_zones, strict=True)))
    worked["date"] = work_dates(worked["clock_in"], worked["zone"])
    daily = worked.groupby(["job_site_id", "cost_code_id", "date"], as_index=False)["hours"].sum()
    daily["unit_of_measure"] = daily["cost_code_id"].map(world.code_uom)
    rate = daily["unit_of_measure"].map(RATE_PER_HOUR).to_numpy()
    raw = daily["hours"].to_numpy() * rate * rng.uniform(0.7, 1.3, size=len(daily))
    fractional = rng.random(len(daily)) < FRACTIONAL_QUANTITY_SHARE
    daily["units"] = np.where(fractional, np.round(raw, 1), np.round(raw)).astype(float)
    now = pd.Timestamp(utcnow())
    quantities: pd.DataFrame = daily.drop(columns=["hours"]).assign(
        created_at=now, updated_at=now, deleted_at=_no_instants(daily.index)
    )
    return quantities


def analyze(engine: Engine) -> None:
    """Refresh the planner's statistics after a bulk load."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
