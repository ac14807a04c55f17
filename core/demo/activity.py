"""The demo world's activity as whole arrays: shifts, their pay segments (REG, OT, DT, travel) and the
production quantities the hours yield. Same generator state in, same frames out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.db import utcnow
from core.timeclock.rules import work_dates

REGULAR_HOURS = 8.0
OVERTIME_HOURS = 4.0  # hours past REGULAR_HOURS paid as overtime; beyond that, double time
WORK_PROBABILITY_BY_WEEKDAY = (0.92, 0.93, 0.93, 0.92, 0.88, 0.30, 0.04)
NIGHT_SHIFT_SHARE = 0.1
TRAVEL_SHARE = 0.005
# Units produced per worked hour, by unit of measure, for production quantities.
RATE_PER_HOUR = {"CY": 1.6, "TON": 0.25, "LF": 9.0, "SF": 32.0}
FRACTIONAL_QUANTITY_SHARE = 0.08


@dataclass(frozen=True)
class World:
    """The reference data the activity is drawn over, as arrays."""

    site_ids: np.ndarray
    site_zones: tuple[str, ...]
    company_ids: np.ndarray
    code_slots: np.ndarray  # [company, k]: index into a site's codes (standard codes, then the site's own)
    employees: pd.DataFrame
    pay_ids: dict[str, int]
    code_uom: dict[int, str]
    site_code_ids: np.ndarray  # [site, standard code index or the site code last]


def time_logs(world: World, days: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """The time logs of `days`: pay segments of each worked shift, the ones still running left open."""
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


def _shifts(world: World, days: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
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


def production_quantities(world: World, logs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
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
