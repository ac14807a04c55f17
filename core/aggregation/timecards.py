"""Timecards: per job site, date, employee, pay ID and cost code, the hours and the pay class.

The pay class of a timecard is the pay class of its logs. When the logs of one
key disagree, the pay class with the most worked time wins; on equal time, the
one clocked in most recently (the employee's current class); then the lowest
id. Logs without a pay class do not vote, so a timecard has no pay class only
when none of its logs has one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.aggregation.grouping import first_rows, group_numbers
from core.aggregation.rounding import hours

TIMECARD_KEY = ["job_site_id", "work_date", "employee_id", "pay_id_id", "cost_code_id"]
TIMECARD_VALUES = ["hours", "pay_class_id"]
TIMECARD_COLUMNS = [*TIMECARD_KEY, *TIMECARD_VALUES]


def aggregate_timecards(logs: pd.DataFrame) -> pd.DataFrame:
    """One row per job site, work date, employee, pay ID and cost code (no cost code is a key of its own).

    Args:
        logs: the time-log source frame (`core.aggregation.source.TIME_LOG_SOURCE_COLUMNS`).

    Returns:
        TIMECARD_COLUMNS, sorted by the key: `hours` (sum of worked time, rounded
        once) and `pay_class_id` (see the module docstring).
    """
    numbers = group_numbers(logs, TIMECARD_KEY)
    groups, positions = first_rows(numbers)
    micros = pd.Series(logs["worked_micros"].to_numpy(dtype=np.int64)).groupby(numbers, sort=True).sum()
    result = logs[TIMECARD_KEY].iloc[positions].reset_index(drop=True)
    result["hours"] = hours(micros.reset_index(drop=True))
    result["pay_class_id"] = pd.array(_pay_classes(logs, numbers).reindex(groups).to_numpy(), dtype="Int64")
    return result.astype({"cost_code_id": "Int64"})[TIMECARD_COLUMNS]


def _pay_classes(logs: pd.DataFrame, numbers: np.ndarray) -> pd.Series:
    """Per group number (only groups with a classed log), the winning pay class id."""
    classed = logs["pay_class_id"].notna().to_numpy()
    votes = pd.DataFrame(
        {
            "group": numbers[classed],
            "pay_class_id": logs["pay_class_id"].to_numpy()[classed].astype(np.int64),
            "micros": logs["worked_micros"].to_numpy()[classed],
            "latest": logs["clock_in"].astype("int64").to_numpy()[classed],
        }
    )
    span = votes.groupby("group", sort=False)["pay_class_id"].agg(["min", "max"])
    winners = span["min"].where(span["min"] == span["max"])
    disputed = votes[votes["group"].isin(span.index[span["min"] != span["max"]])]
    if not disputed.empty:
        winners.update(_vote(disputed))
    return winners


def _vote(votes: pd.DataFrame) -> pd.Series:
    tally = votes.groupby(["group", "pay_class_id"], sort=False).agg(micros=("micros", "sum"), latest=("latest", "max"))
    ordered = tally.reset_index().sort_values(
        ["group", "micros", "latest", "pay_class_id"], ascending=[True, False, False, True], kind="stable"
    )
    return ordered.drop_duplicates("group").set_index("group")["pay_class_id"].astype("float64")
