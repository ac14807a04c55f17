"""When a module's scheduled publish is due: every N hours, or daily at HH:MM in the company's time zone.

Pure functions over an injected `now` (no clock, no database), so the rules are tested as a table:

    cadence = parse_cadence(every="2h")            # or parse_cadence(daily="02:00")
    next_run(cadence, last_run=..., now=..., zone=ZoneInfo("America/Chicago"))

A schedule that missed its times (the app or its workers were down) runs once when it is next
looked at, not once per missed time. A daily time that does not exist on a spring-forward day
runs when the clocks have moved on (02:30 becomes 03:30).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import ValidationError

MAX_EVERY_HOURS = 24
MAX_DAYS_BACK = 62
_EVERY = re.compile(r"^(\d{1,2})h$")
_DAILY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Cadence:
    """Every `every` (hours), or each day at `daily_at` local time; exactly one of them is set."""

    every: timedelta | None = None
    daily_at: time | None = None

    def describe(self) -> str:
        if self.every is not None:
            return f"every {int(self.every.total_seconds() // 3600)} h"
        assert self.daily_at is not None
        return f"daily at {self.daily_at:%H:%M}"


def parse_cadence(*, every: str | None = None, daily: str | None = None) -> Cadence:
    """`every` like "2h" (1h to 24h) or `daily` like "02:00"; exactly one.

    Raises:
        ValidationError: neither or both given, or a value out of shape or range.
    """
    if (every is None) == (daily is None):
        raise ValidationError("Give either --every (like 2h) or --daily (like 02:00), not both or neither.")
    if every is not None:
        found = _EVERY.match(every.strip())
        hours = int(found.group(1)) if found else 0
        if not 1 <= hours <= MAX_EVERY_HOURS:
            raise ValidationError(f"--every takes whole hours from 1h to {MAX_EVERY_HOURS}h, like 2h; not '{every}'.")
        return Cadence(every=timedelta(hours=hours))
    found = _DAILY.match((daily or "").strip())
    if found is None:
        raise ValidationError(f"--daily takes a time of day like 02:00 (00:00 to 23:59); not '{daily}'.")
    return Cadence(daily_at=time(int(found.group(1)), int(found.group(2))))


def check_days_back(days: int) -> int:
    """The catch-up window: 1 to MAX_DAYS_BACK days."""
    if not 1 <= days <= MAX_DAYS_BACK:
        raise ValidationError(f"--days-back takes 1 to {MAX_DAYS_BACK} days; not {days}.")
    return days


def next_run(cadence: Cadence, *, last_run: datetime | None, now: datetime, zone: ZoneInfo) -> datetime:
    """When the schedule runs next, as a UTC instant: `now` when it is due (also when it missed times).

    Every N hours: N hours after the last run (at once when it never ran). Daily: the first HH:MM
    after the last run (after `now` when it never ran).
    """
    if cadence.every is not None:
        return now if last_run is None else max(last_run + cadence.every, now)
    assert cadence.daily_at is not None
    after = last_run or now - timedelta(microseconds=1)
    local_day = after.astimezone(zone).date()
    candidates = (_at(local_day + timedelta(days=offset), cadence.daily_at, zone) for offset in range(3))
    return max(next(candidate for candidate in candidates if candidate > after), now)


def is_due(cadence: Cadence, *, last_run: datetime | None, now: datetime, zone: ZoneInfo) -> bool:
    return next_run(cadence, last_run=last_run, now=now, zone=zone) <= now


def catch_up_range(*, now: datetime, zone: ZoneInfo, days_back: int) -> tuple[date, date]:
    """The work dates a scheduled run publishes: the last `days_back` days up to today, local."""
    today = now.astimezone(zone).date()
    return today - timedelta(days=check_days_back(days_back) - 1), today


def _at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` on `day` in `zone` as a UTC instant; a time the clocks skipped maps past the gap."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
