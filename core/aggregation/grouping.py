"""Rows grouped by a multi-column key with one sort, and reductions over the groups in NumPy.

A wide `DataFrame.groupby` hashes every key column again for each reduction;
here the key becomes one integer per row (`group_numbers`), the rows are sorted
by it once, and each reduction is a `reduceat` over the sorted values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

_LIMIT = 2**62


def group_numbers(frame: pd.DataFrame, key: Sequence[str]) -> np.ndarray:
    """An int64 per row that is equal exactly when the rows' key values are equal.

    Numbers grow with the key in sorted order (missing values count as one
    value, sorted last), so groups come in the same order as
    `frame.groupby(key, dropna=False, sort=True)`.
    """
    numbers = np.zeros(len(frame), dtype=np.int64)
    size = 1
    for name in key:
        codes, count = _sorted_codes(frame[name])
        if size * max(count, 1) >= _LIMIT:
            numbers, size = _dense(numbers)
        numbers = numbers * count + codes
        size *= max(count, 1)
    return numbers


def _sorted_codes(column: pd.Series) -> tuple[np.ndarray, int]:
    """Per row, a whole number from 0 that orders as the values do (missing ones last), and how many there can be.

    Ids are their own codes, less the smallest (no hashing); other columns, and ids spread far wider than
    there are rows, are factorized.
    """
    if pd.api.types.is_integer_dtype(column.dtype) and len(column):
        missing = column.isna().to_numpy()
        values = column.to_numpy(dtype=np.int64, na_value=0)
        present = values[~missing]
        if len(present):
            low, span = int(present.min()), int(present.max()) - int(present.min()) + 1
            if span <= 4 * len(column):
                codes = values - low
                codes[missing] = span
                return codes, span + 1
    codes, uniques = pd.factorize(column, sort=True, use_na_sentinel=False)
    return codes, len(uniques)


def _dense(numbers: np.ndarray) -> tuple[np.ndarray, int]:
    groups = groups_of(numbers)
    return groups.of_row, groups.count


@dataclass(frozen=True)
class Groups:
    """The rows of a frame grouped by a key; groups are numbered 0, 1, … in key order."""

    order: np.ndarray  # row positions, sorted by group (stable: rows keep their order within a group)
    starts: np.ndarray  # where each group begins in `order`
    of_row: np.ndarray  # each row's group number

    @property
    def count(self) -> int:
        return len(self.starts)

    @property
    def first_rows(self) -> np.ndarray:
        """The position of each group's first row."""
        positions: np.ndarray = self.order[self.starts]
        return positions

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Per group, the sum of `values` (one per row), in the values' own dtype."""
        return _reduce(np.add, values[self.order], self.starts)

    def max(self, values: np.ndarray) -> np.ndarray:
        """Per group, the largest of `values` (one per row)."""
        return _reduce(np.maximum, values[self.order], self.starts)

    def distinct_counts(self, values: np.ndarray) -> np.ndarray:
        """Per group, how many distinct `values` (one per row, none missing) its rows hold."""
        codes, uniques = pd.factorize(values)
        pairs = np.sort(self.of_row * max(len(uniques), 1) + codes)
        distinct = pairs[np.flatnonzero(np.diff(pairs, prepend=-1))]
        return np.bincount(distinct // max(len(uniques), 1), minlength=self.count)


def group_rows(frame: pd.DataFrame, key: Sequence[str]) -> Groups:
    """Group `frame`'s rows by the values of `key` (missing values form groups of their own)."""
    return groups_of(group_numbers(frame, key))


def groups_of(numbers: np.ndarray) -> Groups:
    """Group rows by one integer each: rows with equal numbers share a group, in number order."""
    order = np.argsort(numbers, kind="stable")
    ordered = numbers[order]
    begins = np.ones(len(ordered), dtype=bool)
    begins[1:] = ordered[1:] != ordered[:-1]
    of_row = np.empty(len(numbers), dtype=np.int64)
    of_row[order] = np.cumsum(begins) - 1
    return Groups(order=order, starts=np.flatnonzero(begins), of_row=of_row)


def _reduce(operation: np.ufunc, ordered: np.ndarray, starts: np.ndarray) -> np.ndarray:
    if not len(starts):
        return np.zeros(0, dtype=ordered.dtype)
    reduced: np.ndarray = operation.reduceat(ordered, starts)
    return reduced

