"""Rules of the time clock that every other part of the product relies on.

The date rule: **a time log counts for the calendar date of its clock-in, in
its job site's time zone.** A night shift that clocks in at 22:00 on Monday in
Chicago and out at 06:00 on Tuesday belongs to Monday, wholly. Aggregation,
the time-log filters and CSV import all use the functions below, so the rule
lives here once.

The time-log rules (a shift's length and break, the dates a log may have, and
what overlapping means) are checked here for the edit form, the edit service
and CSV import alike, with the same words. An open log (no clock-out yet) runs
until the employee clocks out, so it overlaps every log that starts after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import pandas as pd
from sqlalchemy import and_, or_

from core.errors import ValidationError

MAX_SHIFT_HOURS = 24
MAX_BREAK_MINUTES = MAX_SHIFT_HOURS * 60
EARLIEST_DATE = date(2000, 1, 1)
FUTURE_DAYS = 366  # a log or quantity may be dated up to a year ahead (planned work), never further
OVERLAPS_STORED = "the employee already has a time log that overlaps this one"


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
    """A wall-clock time at a job site, as a UTC instant (DST gaps move forward; a repeated hour is its first)."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    site = zone(time_zone)
    instant = local.replace(tzinfo=site, fold=0).astimezone(UTC)  # the first of a repeated hour
    if instant.astimezone(site).replace(tzinfo=None) == local:
        return instant
    # A time the clocks skip (a DST gap): pandas moves it to the end of the gap. Rare, so the slow path is fine.
    stamp = pd.Timestamp(local).tz_localize(site, ambiguous=True, nonexistent="shift_forward")
    return stamp.tz_convert("UTC").to_pydatetime()


def worked_hours(clock_in: datetime, clock_out: datetime | None, break_minutes: int) -> float | None:
    """Hours worked on one log (clock-out minus clock-in minus break); None while still clocked in."""
    if clock_out is None:
        return None
    return (clock_out - clock_in).total_seconds() / 3600 - break_minutes / 60


@lru_cache(maxsize=4)  # asked for once per row of a file, always with the same day
def latest_date(today: date) -> date:
    """The last date a time log or quantity may have, seen from `today`."""
    return today + timedelta(days=FUTURE_DAYS)


def date_problem(label: str, day: date, *, today: date) -> str | None:
    """Why `day` is outside the dates a record may have, or None when it is inside."""
    if EARLIEST_DATE <= day <= latest_date(today):
        return None
    return f"{label} {day.isoformat()} is outside {EARLIEST_DATE.isoformat()} to {latest_date(today).isoformat()}"


def date_problems(days: dict[str, date | None], *, today: date) -> list[str]:
    """`date_problem` for each labelled date that is set."""
    return [problem for label, day in days.items() if day and (problem := date_problem(label, day, today=today))]


def time_problems(clock_in: datetime, clock_out: datetime | None, break_minutes: int, *, today: date) -> list[str]:
    """Every reason these times cannot make a time log (empty when they can)."""
    problems = date_problems({"clock-in": clock_in.date(), "clock-out": clock_out and clock_out.date()}, today=today)
    if break_minutes < 0:
        problems.append("break minutes cannot be negative")
    elif break_minutes > MAX_BREAK_MINUTES:
        problems.append(f"break minutes cannot be more than {MAX_BREAK_MINUTES}")
    if problems or clock_out is None:
        return problems
    if clock_out <= clock_in:
        return ["clock-out must be after clock-in"]
    if clock_out - clock_in > timedelta(hours=MAX_SHIFT_HOURS):
        return [f"a time log cannot be longer than {MAX_SHIFT_HOURS} hours"]
    if timedelta(minutes=break_minutes) >= clock_out - clock_in:
        return ["the break is as long as the time log or longer"]
    return []


class Span(NamedTuple):  # a tuple: a file makes hundreds of thousands, and tuples are the cheapest to build
    """One time log's time for the overlap rule: `end` None is a log still open; `key` says which log."""

    employee_id: int
    start: datetime
    end: datetime | None
    key: int


def overlaps(first: Span, second: Span) -> bool:
    """True when two logs of one employee share any time (an open log runs on for ever)."""
    return (
        first.employee_id == second.employee_id
        and (second.end is None or first.start < second.end)
        and (first.end is None or second.start < first.end)
    )


def overlapping(column_start: Any, column_end: Any, start: datetime, end: datetime | None) -> Any:
    """The SQL form of `overlaps`: stored logs (their start and end columns) sharing time with `start`–`end`."""
    ends_after = or_(column_end.is_(None), column_end > start)
    return ends_after if end is None else and_(column_start < end, ends_after)


def clashes(spans: Iterable[Span]) -> list[tuple[Span, Span]]:
    """Pairs (earlier, later) of overlapping spans: every span that overlaps another is in at least one.

    Sorts once and sweeps, keeping the span that ends last so far: linear after
    the sort, where comparing every pair took minutes on a large file. A span
    that overlaps an earlier-starting one overlaps the running span (which ends
    at least as late); one that overlaps none becomes the running span, and so
    meets the first later span it overlaps.
    """
    found: list[tuple[Span, Span]] = []
    running: Span | None = None
    for span in sorted(spans, key=itemgetter(0, 1, 3)):  # employee, start, key: never compares a None end
        if running is None or running.employee_id != span.employee_id:
            running = span
            continue
        if overlaps(running, span):
            found.append((running, span))
        if running.end is not None and (span.end is None or span.end > running.end):
            running = span
    return found
