"""Manpower and timecards against a plain-Python reference of their rules, on random time logs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.aggregation import aggregate_manpower, aggregate_timecards
from core.aggregation.rounding import MICROS_PER_HOUR, round_hours

MON = date(2026, 11, 16)
_small = st.integers(min_value=1, max_value=2)  # few values, so keys collide and pay classes compete
_optional = st.one_of(st.none(), _small)
LOG = st.fixed_dictionaries({
    "job_site_id": _small, "work_date": st.sampled_from([MON, MON + timedelta(days=1)]),
    "employee_id": _small, "company_id": st.integers(min_value=1, max_value=2), "crew_id": _optional,
    "pay_id_id": _small, "cost_code_id": _optional, "pay_class_id": _optional,
    "at": st.sampled_from(["2026-11-16T13:00Z", "2026-11-16T14:00Z", "2026-11-16T15:00Z"]),
    "minutes": st.sampled_from([0, 1, 20, 45, 60, 480]), "seconds": st.sampled_from([0, 18, 30]),
})
LOGS = st.lists(LOG, min_size=1, max_size=40)
relaxed = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _hours(micros: int, per: int = 1) -> float:
    return float(round_hours(Decimal(micros) / MICROS_PER_HOUR / per))


def _key(row: Mapping[Hashable, Any], names: list[str]) -> tuple[Any, ...]:
    return tuple(None if pd.isna(row[name]) else row[name] for name in names)


@relaxed
@given(rows=LOGS)
def test_manpower_matches_the_reference(make_logs: Callable[..., pd.DataFrame], rows: list[dict[str, Any]]) -> None:
    logs = make_logs(rows)
    crews: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, set()])
    for row in logs.to_dict("records"):
        crew = crews[_key(row, ["job_site_id", "work_date", "company_id", "crew_id"])]
        crew[0] += row["worked_micros"]
        crew[1].add(row["employee_id"])
    expected = {key: (_hours(total), len(people), _hours(total, len(people))) for key, (total, people) in crews.items()}

    result = aggregate_manpower(logs)

    got = {_key(row, ["job_site_id", "work_date", "company_id", "crew_id"]):
           (row["total_hours"], row["manpower"], row["average_hours"]) for row in result.to_dict("records")}
    assert got == expected
    assert len(result) == len(expected)


@relaxed
@given(rows=LOGS)
def test_timecards_match_the_reference(make_logs: Callable[..., pd.DataFrame], rows: list[dict[str, Any]]) -> None:
    logs = make_logs(rows)
    key = ["job_site_id", "work_date", "employee_id", "pay_id_id", "cost_code_id"]
    cards: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, {}])
    for row in logs.to_dict("records"):
        card = cards[_key(row, key)]
        card[0] += row["worked_micros"]
        if not pd.isna(row["pay_class_id"]):
            vote = card[1].setdefault(row["pay_class_id"], [0, row["clock_in"]])
            vote[0] += row["worked_micros"]
            vote[1] = max(vote[1], row["clock_in"])

    def winner(votes: dict[int, list[Any]]) -> int | None:  # most time, then latest clock-in, then lowest id
        return max(votes, key=lambda pay_class: (*votes[pay_class], -pay_class)) if votes else None

    expected = {card: (_hours(total), winner(votes)) for card, (total, votes) in cards.items()}

    result = aggregate_timecards(logs)

    got = {_key(row, key): (row["hours"], None if pd.isna(row["pay_class_id"]) else row["pay_class_id"])
           for row in result.to_dict("records")}
    assert got == expected
    assert list(result[key].itertuples(index=False)) == sorted(result[key].itertuples(index=False), key=_sortable)


def _sortable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Key order with missing values last, as the aggregation sorts."""
    return tuple((pd.isna(value), 0 if pd.isna(value) else value) for value in row)
