"""Mapping reasons per entry from the reasons of the records its key names, over whole key columns.

`resolver.mapping_reasons` resolves each distinct record once; this module hands
the reasons back to a million entries without a loop over the entries: each key
column is joined with its records' reasons, the rows are grouped by which
reasons they carry, and each group's list is built once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

NONE = -1  # a missing id or project in the int64 columns below
Key = tuple[int, int | None]  # (our id, Procore project id or None), as the resolver's


@dataclass(frozen=True)
class KeyColumn:
    """One key column of the entries: our ids, the Procore project each is judged in (NONE: not scoped), and
    the reason of every (id, project) that has one."""

    ids: np.ndarray
    projects: np.ndarray
    reasons: Mapping[Key, str]


def id_column(keys: pd.DataFrame, name: str) -> np.ndarray:
    """The ids of column `name` as int64, NONE where missing."""
    column: np.ndarray = keys[name].astype("Int64").fillna(NONE).to_numpy(dtype=np.int64)
    return column


def distinct_keys(ids: np.ndarray, projects: np.ndarray) -> set[Key]:
    """The distinct (id, project) pairs of the rows that have an id."""
    pairs = pd.DataFrame({"id": ids, "project": projects}).drop_duplicates()
    pairs = pairs[pairs["id"] != NONE]
    return {(int(i), None if p == NONE else int(p)) for i, p in pairs.itertuples(index=False)}


def row_reasons(columns: Sequence[KeyColumn], rows: int) -> list[list[str]]:
    """Per row, the distinct reasons of its key columns, in column order (empty when it has none)."""
    texts: dict[str, int] = {}
    codes = [_reason_codes(column, texts) for column in columns]
    group = np.zeros(rows, dtype=np.int64)
    for column_codes in codes:  # rows carrying the same reasons share a group number
        group, _ = pd.factorize(group * (len(texts) + 1) + (column_codes + 1))
    _, first = np.unique(group, return_index=True)
    by_number = list(texts)
    carried = np.column_stack([column_codes[first] for column_codes in codes]).tolist() if codes else [
        [] for _ in first]
    per_group = [list(dict.fromkeys(by_number[code] for code in row if code != NONE)) for row in carried]
    return [list(per_group[number]) for number in group.tolist()]


def _reason_codes(column: KeyColumn, texts: dict[str, int]) -> np.ndarray:
    """Per row, the number of its reason text in `texts` (added as met), or NONE."""
    found = [(i, NONE if p is None else p, texts.setdefault(text, len(texts)))
             for (i, p), text in column.reasons.items()]
    lookup = pd.DataFrame(found, columns=["id", "project", "code"]).astype("int64")
    rows = pd.DataFrame({"id": column.ids, "project": column.projects})
    codes: np.ndarray = rows.merge(lookup, on=["id", "project"], how="left")["code"].fillna(NONE).to_numpy(np.int64)
    return codes
