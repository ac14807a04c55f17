from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from core.errors import ValidationError
from core.timeclock.rules import local_to_utc, work_date, work_dates, zone


@pytest.mark.parametrize(
    ("clock_in", "time_zone", "expected"),
    [
        pytest.param(datetime(2026, 11, 3, 4, 0, tzinfo=UTC), "America/Chicago", date(2026, 11, 2),
                     id="22:00 Chicago night shift counts for the evening it started"),
        pytest.param(datetime(2026, 11, 3, 4, 0, tzinfo=UTC), "Europe/Berlin", date(2026, 11, 3),
                     id="same instant is next morning in Berlin"),
        pytest.param(datetime(2026, 11, 2, 13, 0, tzinfo=UTC), "America/Los_Angeles", date(2026, 11, 2),
                     id="day shift"),
        pytest.param(datetime(2026, 11, 2, 6, 59, tzinfo=UTC), "America/Phoenix", date(2026, 11, 1),
                     id="Phoenix keeps standard time"),
    ],
)
def test_a_time_log_counts_for_its_clock_in_date_at_the_job_site(
    clock_in: datetime, time_zone: str, expected: date,
) -> None:
    assert work_date(clock_in, time_zone) == expected
    assert work_dates(pd.Series([clock_in]), pd.Series([time_zone])).tolist() == [expected]


def test_vectorised_rule_handles_two_zones_at_once() -> None:
    instants = pd.Series(pd.to_datetime(["2026-11-03T04:00Z", "2026-11-03T04:00Z", "2026-11-03T18:00Z"]))
    zones = pd.Series(["America/Chicago", "Asia/Tokyo", "America/Chicago"])
    assert work_dates(instants, zones).tolist() == [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 3)]


def test_wall_clock_time_becomes_utc_across_dst() -> None:
    assert local_to_utc(datetime(2026, 11, 2, 22, 0), "America/Chicago") == datetime(2026, 11, 3, 4, 0, tzinfo=UTC)  # noqa: DTZ001
    assert local_to_utc(datetime(2026, 7, 2, 22, 0), "America/Chicago") == datetime(2026, 7, 3, 3, 0, tzinfo=UTC)  # noqa: DTZ001


def test_unknown_time_zone_is_named_in_the_error() -> None:
    with pytest.raises(ValidationError, match="'Mars/Olympus' is not an IANA time zone"):
        zone("Mars/Olympus")
