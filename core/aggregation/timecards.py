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

from core.aggregation.grouping import Groups, group_rows, groups_of
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
    groups = group_rows(logs, TIMECARD_KEY)
    result = logs[TIMECARD_KEY].iloc[groups.first_rows].reset_index(drop=True)
    result["hours"] = hours(pd.Series(groups.sum(logs["worked_micros"].to_numpy(dtype=np.int64))))
    result["pay_class_id"] = _pay_classes(logs, groups)
    return result.astype({"cost_code_id": "Int64"})[TIMECARD_COLUMNS]


def _pay_classes(logs: pd.DataFrame, groups: Groups) -> pd.arrays.IntegerArray:
    """Per group, the winning pay class id (missing when no log of the group has one)."""
    classed = logs["pay_class_id"].notna().to_numpy()
    rows = groups.order[classed[groups.order]]  # the classed rows, already in group order
    group = groups.of_row[rows]
    codes, classes = pd.factorize(logs["pay_class_id"].to_numpy(dtype=np.int64, na_value=0)[rows], sort=True)
    pay_class = classes[codes]
    # One vote per group and pay class: its worked time and latest clock-in. Sorting the vote numbers is
    # cheap: they are in order but within the few groups whose logs have several pay classes.
    votes = groups_of(group * max(len(classes), 1) + codes)
    micros = votes.sum(logs["worked_micros"].to_numpy(dtype=np.int64)[rows])
    latest = votes.max(logs["clock_in"].astype("int64").to_numpy()[rows])
    voter, candidate = group[votes.first_rows], pay_class[votes.first_rows]
    winners = np.zeros(groups.count, dtype=np.int64)
    has_class = np.zeros(groups.count, dtype=bool)
    has_class[voter] = True
    winners[voter] = candidate  # a group with one vote: that vote; disputed groups are settled below
    disputed = np.flatnonzero(np.bincount(voter, minlength=groups.count)[voter] > 1)
    # Most time first, then the latest clock-in, then the lowest id: the first vote of each group wins.
    ranked = disputed[np.lexsort((candidate[disputed], -latest[disputed], -micros[disputed], voter[disputed]))]
    first = np.ones(len(ranked), dtype=bool)
    first[1:] = voter[ranked][1:] != voter[ranked][:-1]
    winners[voter[ranked][first]] = candidate[ranked][first]
    return pd.arrays.IntegerArray(winners, ~has_class)
