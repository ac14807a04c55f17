"""Manpower: per job site, date, company and crew, the hours worked and the head count."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.aggregation.grouping import group_rows
from core.aggregation.rounding import hours

MANPOWER_KEY = ["job_site_id", "work_date", "company_id", "crew_id"]
MANPOWER_VALUES = ["total_hours", "manpower", "average_hours"]
MANPOWER_COLUMNS = [*MANPOWER_KEY, *MANPOWER_VALUES]


def aggregate_manpower(logs: pd.DataFrame) -> pd.DataFrame:
    """One row per job site, work date, company and crew (no crew is a group of its own).

    Args:
        logs: the time-log source frame (`core.aggregation.source.TIME_LOG_SOURCE_COLUMNS`).

    Returns:
        MANPOWER_COLUMNS, sorted by the key: `total_hours` (sum of worked time),
        `manpower` (distinct employees) and `average_hours` (total / manpower,
        from the unrounded total), both hour columns rounded once by `hours`.
    """
    groups = group_rows(logs, MANPOWER_KEY)
    total = pd.Series(groups.sum(logs["worked_micros"].to_numpy(dtype=np.int64)))
    manpower = pd.Series(groups.distinct_counts(logs["employee_id"].to_numpy()), dtype="int64")
    result = logs[MANPOWER_KEY].iloc[groups.first_rows].reset_index(drop=True)
    result["total_hours"] = hours(total)
    result["manpower"] = manpower
    result["average_hours"] = hours(total, per=manpower)
    return result.astype({"crew_id": "Int64"})[MANPOWER_COLUMNS]
