"""Production quantities: per job site, date and cost code, the unit of measure and the units."""

from __future__ import annotations

import pandas as pd

from core.aggregation.rounding import quantity_from_thousandths, quantity_thousandths

QUANTITY_KEY = ["job_site_id", "work_date", "cost_code_id"]
QUANTITY_VALUES = ["unit_of_measure", "units"]
QUANTITY_COLUMNS = [*QUANTITY_KEY, *QUANTITY_VALUES]
UNIT_SEPARATOR = ", "


def aggregate_quantities(quantities: pd.DataFrame) -> pd.DataFrame:
    """One row per job site, date and cost code.

    Args:
        quantities: the quantity source frame (`core.aggregation.source.QUANTITY_SOURCE_COLUMNS`).

    Returns:
        QUANTITY_COLUMNS, sorted by the key: `units` is the exact sum (decimals
        kept; summed as whole thousandths, so 0.1 + 0.2 is 0.3) and
        `unit_of_measure` the rows' unit. Rows of one key that disagree on the
        unit give every distinct unit, sorted and joined by UNIT_SEPARATOR, which
        the publishing rules refuse (see `mixed_units`).
    """
    frame = quantities.assign(
        thousandths=quantity_thousandths(quantities["units"]),
        unit_of_measure=quantities["unit_of_measure"].astype(str).str.strip(),
    ).sort_values("unit_of_measure", kind="stable")
    grouped = frame.groupby(QUANTITY_KEY, sort=True)
    result = grouped.agg(
        unit_of_measure=("unit_of_measure", "first"),
        distinct_units=("unit_of_measure", "nunique"),
        thousandths=("thousandths", "sum"),
    ).reset_index()
    mixed = result["distinct_units"] > 1
    if mixed.any():
        joined = frame.drop_duplicates([*QUANTITY_KEY, "unit_of_measure"]).groupby(QUANTITY_KEY)["unit_of_measure"]
        names = joined.agg(UNIT_SEPARATOR.join).rename("joined")
        result = result.merge(names, on=QUANTITY_KEY, how="left")
        result.loc[mixed, "unit_of_measure"] = result.loc[mixed, "joined"]
    result["units"] = quantity_from_thousandths(result["thousandths"])
    return result.astype({"unit_of_measure": "str"})[QUANTITY_COLUMNS]


def mixed_units(unit_of_measure: str) -> bool:
    """True when an aggregated unit of measure names more than one unit."""
    return UNIT_SEPARATOR in unit_of_measure
