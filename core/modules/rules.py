"""Value rules: what Procore accepts of an entry's values (procore-api.md §4.5, §4.6, §4.8).

A rule reads a module's aggregated frame and gives, per row, the reasons the
entry cannot be published as it stands (an empty list when it can).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
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
    hours = [frame["hours"]]
    return _per_row(len(frame), [
        _flagged(hours, frame["hours"] > MAX_TIMECARD_HOURS,
                 lambda value: f"more than {MAX_TIMECARD_HOURS} hours ({_number(value, 2)}) on one day"),
        _flagged(hours, frame["hours"] < 0,
                 lambda value: f"negative hours ({_number(value, 2)}): the breaks are longer than the time"),
    ])


def quantity_rules(frame: pd.DataFrame) -> list[list[str]]:
    """Mixed units of measure, or units that are not whole numbers."""
    units, unit = frame["units"], frame["unit_of_measure"]
    mixed = unit.map(mixed_units).astype(bool)
    return _per_row(len(frame), [
        _flagged([unit], mixed,
                 lambda text: f"the quantities mix units of measure ({text}); Procore takes one unit per log"),
        _flagged([units, unit], units != units.round(), _not_whole),
    ])


def _not_whole(units: float, unit: str) -> str:
    return f"Procore quantity logs take whole numbers; {_number(units, 3)} {unit} is not one"


def _flagged(columns: list[pd.Series], where: pd.Series, text: Callable[..., str]) -> dict[int, str]:
    """Position → reason for the rows `where` holds, from their values of `columns`; each distinct reason written
    once."""
    positions = np.flatnonzero(where.to_numpy(dtype=bool))
    picked = list(zip(*(column.iloc[positions].tolist() for column in columns), strict=True))
    written = {values: text(*values) for values in set(picked)}
    return dict(zip(positions.tolist(), (written[values] for values in picked), strict=True))


def _per_row(rows: int, rules: list[dict[int, str]]) -> list[list[str]]:
    """One list per row: the reasons of `rules` that flag it, in rule order."""
    reasons: list[list[str]] = [[] for _ in range(rows)]
    for flagged in rules:
        for position, reason in flagged.items():
            reasons[position].append(reason)
    return reasons
