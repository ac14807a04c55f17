"""Rules of the time clock that every other part of the product relies on.

The date rule: **a time log counts for the calendar date of its clock-in, in
its job site's time zone.** A night shift that clocks in at 22:00 on Monday in
Chicago and out at 06:00 on Tuesday belongs to Monday, wholly. Aggregation,
the time-log filters and CSV import all use the functions below, so the rule
lives here once.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import pandas as pd

from core.errors import ValidationError

MAX_SHIFT_HOURS = 24


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`, or a ValidationError naming it."""
    if name not in _known_zones():
        raise ValidationError(f"'{name}' is not an IANA time zone name (for example America/Chicago)")
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError as error:  # pragma: no cover - listed but not loadable
        raise ValidationError(f"time zone '{name}' cannot be loaded") from error


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str | None) -> bool:
    """True when `name` is an IANA time zone name."""
    return bool(name) and name in _known_zones()


def work_date(clock_in: datetime, time_zone: str) -> date:
    """The date a time log counts for: its clock-in date in the job site's time zone."""
    if clock_in.tzinfo is None:
        raise ValueError("clock_in must be timezone-aware")
    return clock_in.astimezone(zone(time_zone)).date()


def work_dates(clock_in: pd.Series, time_zone: pd.Series) -> pd.Series:
    """Vectorised `work_date`: UTC clock-ins and per-row zone names to dates (None where either is missing)."""
    instants = pd.to_datetime(clock_in, utc=True).dt.as_unit("us")
    codes, names = pd.factorize(time_zone)
    micros = instants.dt.tz_localize(None).to_numpy(dtype="datetime64[us]").view(np.int64)
    days = local_days(micros, codes, [str(name) for name in names])
    days[instants.isna().to_numpy()] = np.datetime64("NaT")
    return pd.Series(days.astype(object), index=clock_in.index).where(~pd.isna(days), None)


def local_days(micros: np.ndarray, zone_codes: np.ndarray, zone_names: list[str]) -> np.ndarray:
    """The local calendar day of each UTC instant (int64 microseconds), in the zone its code names.

    Works per distinct zone (a handful) on whole arrays, so a million instants
    take a fraction of a second. A code of -1 gives NaT.
    """
    days = np.full(len(micros), np.datetime64("NaT"), dtype="datetime64[D]")
    for code, name in enumerate(zone_names):
        rows = zone_codes == code
        if not rows.any():
            continue
        utc = pd.DatetimeIndex(micros[rows].view("datetime64[us]")).tz_localize("UTC")
        days[rows] = utc.tz_convert(zone(name)).tz_localize(None).to_numpy().astype("datetime64[D]")
    return days


def local_to_utc(local: datetime, time_zone: str) -> datetime:
    """A wall-clock time at a job site, as a UTC instant (DST gaps move forward)."""
    if local.tzinfo is not None:
        return local.astimezone(ZoneInfo("UTC"))
    stamp = pd.Timestamp(local).tz_localize(zone(time_zone), ambiguous=True, nonexistent="shift_forward")
    return stamp.tz_convert("UTC").to_pydatetime()


def worked_hours(clock_in: datetime, clock_out: datetime | None, break_minutes: int) -> float | None:
    """Hours worked on one log (clock-out minus clock-in minus break); None while still clocked in."""
    if clock_out is None:
        return None
    return (clock_out - clock_in).total_seconds() / 3600 - break_minutes / 60
