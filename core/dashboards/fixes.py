"""Why entries are Non publishable, grouped, and the page where each reason is fixed."""

from __future__ import annotations

from enum import StrEnum

import pandas as pd

from core.models.publishing import PublishStatus


class FixPlace(StrEnum):
    """The page a reason sends people to."""

    DATA_MAPPING = "data_mapping"
    PAYROLL_ITEMS = "payroll_items"
    PROCORE_SETUP = "procore_setup"
    QUANTITIES = "quantities"
    TIME_LOGS = "time_logs"


# Reasons name their place in words (core.sync.resolver); the first phrase found decides.
_PHRASES: tuple[tuple[str, FixPlace], ...] = (
    ("data mapping >", FixPlace.DATA_MAPPING),
    ("payroll items", FixPlace.PAYROLL_ITEMS),
    ("procore setup", FixPlace.PROCORE_SETUP),
    ("quantity logs take whole numbers", FixPlace.QUANTITIES),  # core.modules.rules.quantity_rules
    ("mix units of measure", FixPlace.QUANTITIES),
)


def fix_place(reason: str) -> FixPlace:
    """Where `reason` is fixed; quantities' values on Production quantities, other values (hours, records
    deleted) on Time logs."""
    text = reason.lower()
    return next((place for phrase, place in _PHRASES if phrase in text), FixPlace.TIME_LOGS)


def error_reasons(entries: pd.DataFrame) -> pd.DataFrame:
    """Each distinct reason of the Non publishable `entries`, how many entries it blocks, and its place.

    Args:
        entries: rows with `status` and `reasons` (a list), as `entries_frame` gives them.

    Returns:
        reason, entries, place; the reason blocking most entries first.
    """
    blocked = entries.loc[entries["status"] == PublishStatus.NON_PUBLISHABLE.value, "reasons"]
    reasons = blocked.explode().dropna()
    if reasons.empty:
        return pd.DataFrame({"reason": pd.Series(dtype=object), "entries": pd.Series(dtype="int64"),
                             "place": pd.Series(dtype=object)})
    counted = reasons.value_counts(sort=False).rename_axis("reason").reset_index(name="entries")
    counted["place"] = counted["reason"].map(fix_place)
    return counted.sort_values(["entries", "reason"], ascending=[False, True], ignore_index=True)
