"""The value rules (core/modules/rules.py), worked out on whole columns, against a plain per-row reference."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from core.modules.rules import MAX_TIMECARD_HOURS, quantity_rules, timecard_rules

HOURS = st.lists(st.sampled_from([-1.25, -0.01, 0.0, 7.5, 24.0, 24.01, 25.5, 30.0]), max_size=30)
QUANTITIES = st.lists(st.tuples(st.sampled_from([0.0, 3.0, 2.5, 23.1, 4.0001]),
                                st.sampled_from(["CY", "TON", "CY, TON", "LF, CY, TON"])), max_size=30)
fast = settings(max_examples=80, deadline=None)


def _number(value: float, places: int) -> str:
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _timecard_reference(hours: list[float]) -> list[list[str]]:
    reasons: list[list[str]] = []
    for value in hours:
        row = []
        if value > MAX_TIMECARD_HOURS:
            row.append(f"more than 24 hours ({_number(value, 2)}) on one day")
        elif value < 0:
            row.append(f"negative hours ({_number(value, 2)}): the breaks are longer than the time")
        reasons.append(row)
    return reasons


def _quantity_reference(rows: list[tuple[float, str]]) -> list[list[str]]:
    reasons: list[list[str]] = []
    for units, unit in rows:
        row = []
        if ", " in unit:
            row.append(f"the quantities mix units of measure ({unit}); Procore takes one unit per log")
        if units != int(units):
            row.append(f"Procore quantity logs take whole numbers; {_number(units, 3)} {unit} is not one")
        reasons.append(row)
    return reasons


@fast
@given(hours=HOURS)
def test_timecard_rules_give_each_row_the_reasons_the_reference_gives(hours: list[float]) -> None:
    assert timecard_rules(pd.DataFrame({"hours": pd.Series(hours, dtype="float64")})) == _timecard_reference(hours)


@fast
@given(rows=QUANTITIES)
def test_quantity_rules_give_each_row_the_reasons_the_reference_gives(rows: list[tuple[float, str]]) -> None:
    frame = pd.DataFrame({"units": pd.Series([units for units, _ in rows], dtype="float64"),
                          "unit_of_measure": pd.Series([unit for _, unit in rows], dtype=object)})
    assert quantity_rules(frame) == _quantity_reference(rows)


def test_a_timecard_of_25_and_a_half_hours_says_so() -> None:
    assert timecard_rules(pd.DataFrame({"hours": [25.5, 8.0, -1.0]})) == [
        ["more than 24 hours (25.5) on one day"], [],
        ["negative hours (-1): the breaks are longer than the time"],
    ]
