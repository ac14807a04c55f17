"""When a scheduled publish is due: a table of cadences, last runs and instants (the clock is a value)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import ValidationError
from core.jobs.schedules import Cadence, catch_up_range, is_due, next_run, parse_cadence

CHICAGO = ZoneInfo("America/Chicago")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("cadence", "last_run", "now", "expected"), [
    (parse_cadence(every="2h"), None, utc("2026-11-16 10:00"), utc("2026-11-16 10:00")),
    (parse_cadence(every="2h"), utc("2026-11-16 09:00"), utc("2026-11-16 10:00"), utc("2026-11-16 11:00")),
    (parse_cadence(every="2h"), utc("2026-11-16 02:00"), utc("2026-11-16 10:00"), utc("2026-11-16 10:00")),
    # 02:00 in Chicago is 08:00 UTC in November (CST, UTC-6).
    (parse_cadence(daily="02:00"), None, utc("2026-11-16 07:59"), utc("2026-11-16 08:00")),
    (parse_cadence(daily="02:00"), None, utc("2026-11-16 15:00"), utc("2026-11-17 08:00")),
    (parse_cadence(daily="02:00"), utc("2026-11-16 08:00"), utc("2026-11-16 09:00"), utc("2026-11-17 08:00")),
    (parse_cadence(daily="02:00"), utc("2026-11-13 08:00"), utc("2026-11-16 15:00"), utc("2026-11-16 15:00")),
    # 2027-03-14: clocks skip from 02:00 to 03:00 in Chicago; 02:30 runs at 03:30 CDT (08:30 UTC).
    (parse_cadence(daily="02:30"), utc("2027-03-13 08:30"), utc("2027-03-13 12:00"), utc("2027-03-14 08:30")),
    # The day after, 02:30 CDT is 07:30 UTC.
    (parse_cadence(daily="02:30"), utc("2027-03-14 08:30"), utc("2027-03-14 12:00"), utc("2027-03-15 07:30")),
], ids=["every: never ran", "every: ran an hour ago", "every: missed several", "daily: later today",
        "daily: passed today", "daily: ran today", "daily: missed days run once now", "daily: spring forward gap",
        "daily: after the change"])
def test_next_run(cadence: Cadence, last_run: datetime | None, now: datetime, expected: datetime) -> None:
    assert next_run(cadence, last_run=last_run, now=now, zone=CHICAGO) == expected
    assert is_due(cadence, last_run=last_run, now=now, zone=CHICAGO) is (expected <= now)


@pytest.mark.parametrize(("every", "daily", "outcome"), [
    ("2h", None, nullcontext()),
    (None, "23:59", nullcontext()),
    ("0h", None, pytest.raises(ValidationError, match="whole hours from 1h to 24h, like 2h; not '0h'")),
    ("25h", None, pytest.raises(ValidationError, match="not '25h'")),
    ("2", None, pytest.raises(ValidationError, match="not '2'")),
    (None, "24:00", pytest.raises(ValidationError, match="like 02:00 .* not '24:00'")),
    (None, "2:00", pytest.raises(ValidationError, match="not '2:00'")),
    ("2h", "02:00", pytest.raises(ValidationError, match="not both or neither")),
    (None, None, pytest.raises(ValidationError, match="not both or neither")),
], ids=["every 2h", "daily 23:59", "zero hours", "more than a day", "no unit", "24:00", "one-digit hour", "both",
        "neither"])
def test_bad_cadence_is_refused_with_what_to_give(every: str | None, daily: str | None,
                                                  outcome: AbstractContextManager[object]) -> None:
    with outcome:
        parse_cadence(every=every, daily=daily)


def test_the_catch_up_window_ends_today_in_the_company_time_zone() -> None:
    # 03:00 UTC on the 17th is still the 16th in Chicago.
    assert catch_up_range(now=utc("2026-11-17 03:00"), zone=CHICAGO, days_back=7) == \
        (date(2026, 11, 10), date(2026, 11, 16))
    with pytest.raises(ValidationError, match="1 to 62 days"):
        catch_up_range(now=utc("2026-11-17 03:00"), zone=CHICAGO, days_back=0)
