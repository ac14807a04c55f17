"""The figures a calendar cell adds up, copied from each entry's `values` into plain columns when they are written.

The dashboards sum a month of entries (600,000 timecards); reading the sums from
numeric columns, all of them in one index (`ix_publish_entry_calendar`), spares
the database parsing every entry's JSON. Which value feeds which column comes from
the module's definition (`core.modules.definition.Figures`):

- figure_count: the value the count adds up (a manpower row's workers), else 1;
- figure_amount: the hours (a quantity: its units);
- figure_unit: a quantity's unit of measure, else None.

Every writer of `values` writes these with it (the refresh: `new_entries`, `changed_entries`).
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from core.models.publishing import PublishModule
from core.modules.definition import UnitFigures
from core.modules.registry import definition

FIGURE_COLUMNS = ["figure_count", "figure_amount", "figure_unit"]
UNITS, UNIT_OF_MEASURE = "units", "unit_of_measure"  # a quantity's values the calendar lists per cost code


class Sources(NamedTuple):
    """The value names each figure column copies: None for a count of 1 (or no unit)."""

    counted: str | None
    amount: str
    unit: str | None


def sources(module: PublishModule) -> Sources:
    """Which of `module`'s values feed its figure columns."""
    figures = definition(PublishModule(module)).figures
    if isinstance(figures, UnitFigures):
        return Sources(None, UNITS, UNIT_OF_MEASURE)
    return Sources(figures.summed, figures.hours, None)


def figure_frame(module: PublishModule, values: pd.DataFrame) -> pd.DataFrame:
    """The figure columns of every row of `values` (a frame holding the module's value columns), in its index:
    the count and the amount as nullable numbers, the unit as text or None (`bulk_insert` writes them)."""
    source = sources(module)
    count = pd.Series(1, index=values.index) if source.counted is None else values[source.counted]
    unit = pd.Series(None, index=values.index, dtype=object) if source.unit is None else \
        values[source.unit].astype(object).where(values[source.unit].notna(), None)
    return pd.DataFrame({
        "figure_count": pd.to_numeric(count).astype("Int64"),
        "figure_amount": pd.to_numeric(values[source.amount]).astype("Float64"),
        "figure_unit": unit,
    }, index=values.index)
