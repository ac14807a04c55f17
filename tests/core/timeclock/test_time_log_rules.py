from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.timeclock.rules import Span, clashes, local_to_utc, overlaps, time_problems

T0 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
TODAY = date(2026, 11, 30)


def _at(hours: float | None) -> datetime | None:
    return None if hours is None else T0 + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        pytest.param((0, 8), (8, 10), False, id="one ends as the next starts"),
        pytest.param((0, 8), (7, 10), True, id="closed logs sharing an hour"),
        pytest.param((0, None), (30, 32), True, id="open log overlaps whatever starts after it"),
        pytest.param((5, None), (0, 4), False, id="open log does not reach back before its clock-in"),
        pytest.param((5, None), (0, 6), True, id="closed log running into an open one's clock-in"),
        pytest.param((0, None), (1, None), True, id="two open logs"),
    ],
)
def test_overlap_means_sharing_time_and_an_open_log_runs_on(
    first: tuple[float, float | None], second: tuple[float, float | None], expected: bool
) -> None:
    a, b = Span(1, _at(first[0]), _at(first[1]), 2), Span(1, _at(second[0]), _at(second[1]), 3)  # type: ignore[arg-type]
    assert overlaps(a, b) is expected
    assert overlaps(b, a) is expected
    assert overlaps(a, b._replace(employee_id=2)) is False


_spans = st.lists(
    st.tuples(st.integers(1, 3), st.integers(0, 40), st.one_of(st.none(), st.integers(1, 12))),
    max_size=30,
).map(lambda rows: [Span(e, _at(start), _at(None if length is None else start + length), key)  # type: ignore[arg-type]
                    for key, (e, start, length) in enumerate(rows)])


@settings(max_examples=300, deadline=None)
@given(_spans)
def test_the_sweep_names_every_log_that_overlaps_another_as_comparing_every_pair_does(spans: list[Span]) -> None:
    """The sort-and-sweep in `clashes` against the plain quadratic reference."""
    pairs = clashes(spans)
    in_pairs = {span.key for pair in pairs for span in pair}
    reference = {a.key for a in spans for b in spans if a.key != b.key and overlaps(a, b)}
    assert in_pairs == reference
    assert all(overlaps(a, b) for a, b in pairs)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),  # noqa: DTZ001
       st.sampled_from(["America/Chicago", "America/Phoenix", "Europe/Berlin", "Australia/Lord_Howe"]))
@example(datetime(2026, 3, 8, 2, 30), "America/Chicago")  # noqa: DTZ001 - skipped by the clocks: moves to 03:00
@example(datetime(2026, 11, 1, 1, 30), "America/Chicago")  # noqa: DTZ001 - repeated: the first, daylight time
@example(datetime(2026, 3, 29, 2, 59), "Europe/Berlin")  # noqa: DTZ001 - skipped
@example(datetime(2026, 4, 5, 1, 45), "Australia/Lord_Howe")  # noqa: DTZ001 - a repeated half hour
def test_wall_clock_to_utc_matches_pandas_across_dst(local: datetime, time_zone: str) -> None:
    """The fast path agrees with pandas, including times the clocks skip or repeat."""
    expected = pd.Timestamp(local).tz_localize(time_zone, ambiguous=True, nonexistent="shift_forward")
    assert local_to_utc(local, time_zone) == expected.tz_convert("UTC").to_pydatetime()


@pytest.mark.parametrize(
    ("clock_in", "clock_out", "break_minutes", "problems"),
    [
        pytest.param(T0, T0 + timedelta(hours=8), 30, [], id="a day shift"),
        pytest.param(T0, None, 0, [], id="still clocked in"),
        pytest.param(T0.replace(year=1999), T0.replace(year=1999) + timedelta(hours=8), 0,
                     ["clock-in 1999-12-07 is outside 2000-01-01 to 2027-12-01",
                      "clock-out 1999-12-07 is outside 2000-01-01 to 2027-12-01"], id="before 2000"),
        pytest.param(T0.replace(year=2028), None, 0, ["clock-in 2028-12-07 is outside 2000-01-01 to 2027-12-01"],
                     id="more than a year ahead"),
        pytest.param(T0, None, 10**20, ["break minutes cannot be more than 1440"], id="an endless break"),
        pytest.param(T0, T0 + timedelta(hours=8), -1, ["break minutes cannot be negative"], id="negative break"),
    ],
)
def test_time_problems(
    clock_in: datetime, clock_out: datetime | None, break_minutes: int, problems: list[str]
) -> None:
    assert time_problems(clock_in, clock_out, break_minutes, today=TODAY) == problems
