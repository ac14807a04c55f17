"""Value rules: what Procore accepts of an entry's values (procore-api.md §4.5, §4.6, §4.8).

A rule reads a module's aggregated frame and gives, per row, the reasons the
entry cannot be published as it stands (an empty list when it can).
"""

from __future__ import annotations

import pandas as pd

from core.aggregation.quantities import mixed_units

MAX_TIMECARD_HOURS = 24  # Procore refuses more on one timecard entry


def _number(value: float, places: int) -> str:
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def no_rules(frame: pd.DataFrame) -> list[list[str]]:
    """Nothing to refuse: one empty list per row."""
    return [[] for _ in range(len(frame))]


def timecard_rules(frame: pd.DataFrame) -> list[list[str]]:
    """More than MAX_TIMECARD_HOURS, or negative hours, on one entry."""
    reasons = no_rules(frame)
    for position, hours in enumerate(frame["hours"].tolist()):
        if hours > MAX_TIMECARD_HOURS:
            reasons[position].append(f"more than {MAX_TIMECARD_HOURS} hours ({_number(hours, 2)}) on one day")
        elif hours < 0:
            reasons[position].append(f"negative hours ({_number(hours, 2)}): the breaks are longer than the time")
    return reasons


def quantity_rules(frame: pd.DataFrame) -> list[list[str]]:
    """Mixed units of measure, or units that are not whole numbers."""
    reasons = no_rules(frame)
    rows = zip(frame["units"].tolist(), frame["unit_of_measure"].tolist(), strict=True)
    for position, (units, unit) in enumerate(rows):
        if mixed_units(unit):
            reasons[position].append(f"the quantities mix units of measure ({unit}); Procore takes one unit per log")
        if units != int(units):
            reasons[position].append(
                f"Procore quantity logs take whole numbers; {_number(units, 3)} {unit} is not one"
            )
    return reasons
