"""The one rounding rule of aggregated hours: two decimals, half up, applied after summing.

Worked time is carried as whole microseconds (int64) until the very end, so
sums are exact. Rounding then happens once, on the total (or on the total
divided by a head count for averages), never on the parts:
`round_hours(Decimal(total) / MICROS_PER_HOUR)`. `hours` is the vectorised
form of that rule; it uses integer arithmetic, so it gives exactly what the
Decimal form gives without a Python loop over a million rows.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

HOURS_PLACES = 2
HOURS_QUANTUM = Decimal(1).scaleb(-HOURS_PLACES)  # 0.01
MICROS_PER_HOUR = 3_600_000_000
MICROS_PER_MINUTE = 60_000_000
QUANTITY_PLACES = 3  # production quantities are stored as NUMERIC(14, 3)


def round_hours(value: Decimal) -> Decimal:
    """The rule itself: hours to two decimals, halves away from zero (ROUND_HALF_UP)."""
    return value.quantize(HOURS_QUANTUM, rounding=ROUND_HALF_UP)


def hours(micros: pd.Series, per: pd.Series | None = None) -> pd.Series:
    """`round_hours(Decimal(micros) / MICROS_PER_HOUR / per)` for every row, as floats.

    Args:
        micros: summed worked time per row, whole microseconds.
        per: optional positive divisor per row (a head count, for averages).

    Returns:
        Float hours holding exactly the two-decimal value (8.25, not 8.2499…).
    """
    numerator = micros.to_numpy(dtype=np.int64) * np.int64(10**HOURS_PLACES)
    denominator = np.full(len(micros), MICROS_PER_HOUR, dtype=np.int64)
    if per is not None:
        denominator = denominator * per.to_numpy(dtype=np.int64)
    hundredths = _half_up_quotient(numerator, denominator)
    return pd.Series(hundredths / 10**HOURS_PLACES, index=micros.index, dtype="float64")


def _half_up_quotient(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator rounded to a whole number, halves away from zero."""
    magnitude = (2 * np.abs(numerator) + denominator) // (2 * denominator)
    signed: np.ndarray = np.sign(numerator) * magnitude
    return signed


def quantity_thousandths(units: pd.Series) -> pd.Series:
    """Quantities (Decimal or float, three decimals at most) as exact whole thousandths."""
    scaled = units.astype("float64").to_numpy() * 10**QUANTITY_PLACES
    return pd.Series(np.rint(scaled).astype(np.int64), index=units.index)


def quantity_from_thousandths(thousandths: pd.Series) -> pd.Series:
    """Whole thousandths back to float quantities holding exactly the three-decimal value."""
    return pd.Series(thousandths.to_numpy(dtype=np.int64) / 10**QUANTITY_PLACES, index=thousandths.index)
