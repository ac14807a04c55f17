"""Timestamps, dates and Procore's ``from...to`` range filters."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

UTC = dt.UTC
_FMT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now() -> dt.datetime:
    return dt.datetime.now(UTC)


def iso(moment: dt.datetime) -> str:
    """ISO 8601 UTC with microseconds, e.g. ``2026-05-01T17:03:21.123456Z``."""
    return moment.astimezone(UTC).strftime(_FMT)


def parse_iso(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.strip().replace(" ", "+"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def next_stamp(previous: str | None) -> str:
    """Now, or one microsecond after ``previous`` when the clock has not moved past it."""
    current = now()
    if previous:
        floor = parse_iso(previous) + dt.timedelta(microseconds=1)
        current = max(current, floor)
    return iso(current)


def unix() -> float:
    return time.time()


def today_in(zone: str | None, override: str | None = None) -> str:
    """Today's date in the project's time zone (or the configured fixed date)."""
    if override:
        return override
    try:
        tz = ZoneInfo(zone) if zone else UTC
    except (KeyError, ValueError):
        tz = UTC
    return dt.datetime.now(tz).date().isoformat()


def parse_date(value: str | None) -> str | None:
    """A ``YYYY-MM-DD`` string, or None when ``value`` is not a valid date."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def work_week(day: str) -> tuple[str, str]:
    """Monday..Sunday around ``day``."""
    date = dt.date.fromisoformat(day)
    start = date - dt.timedelta(days=date.weekday())
    return start.isoformat(), (start + dt.timedelta(days=6)).isoformat()


def _bound(value: str, *, upper: bool) -> str | None:
    value = value.strip()
    if not value:
        return None
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        clock = dt.time(23, 59, 59, 999999) if upper else dt.time(0, 0)
        return iso(dt.datetime.combine(day, clock, tzinfo=UTC))
    return iso(parse_iso(value))


def parse_range(value: str) -> tuple[str | None, str | None]:
    """Procore's ``<from>...<to>`` filter (dates or datetimes) as inclusive ISO bounds.

    A single value without ``...`` means that one day (or that instant).
    Raises ValueError when a side is not a date or datetime.
    """
    if "..." in value:
        low, high = value.split("...", 1)
    else:
        low = high = value
    return _bound(low, upper=False), _bound(high, upper=True)


def in_range(stamp: str | None, bounds: tuple[str | None, str | None]) -> bool:
    if not stamp:
        return False
    value = iso(parse_iso(stamp))
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)
