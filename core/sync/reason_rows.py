"""Mapping reasons per entry from the reasons of the records its key names, over whole key columns.

`resolver.mapping_reasons` resolves each distinct record once; this module hands
the reasons back to a million entries without a loop over the entries: each key
column's (id, project) pairs become one integer each and are looked up in the
records' reasons in one go, the rows are numbered by which reasons they carry,
and each distinct list is built once. Rows carrying the same reasons share that
list, which refuses changes (`SharedReasons`): a million copies would cost more
than the rest of the check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import NoReturn

import numpy as np
import pandas as pd

NONE = -1  # a missing id or project in the int64 columns below
Key = tuple[int, int | None]  # (our id, Procore project id or None), as the resolver's
_LIMIT = 2**62


class SharedReasons(list[str]):
    """The reasons of every row that carries them: one list shared by those rows, so it cannot be changed.

    It reads, compares and serialises as a list; `[*reasons, "more"]` or `list(reasons)` is a list of one's own.
    """

    __slots__ = ()

    def _shared(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise TypeError("these reasons are shared by several entries: copy them (list(reasons)) to change them")

    def __reduce__(self) -> tuple[type[list[str]], tuple[list[str]]]:
        return list, (list(self),)  # pickled and copied as a plain list of one's own

    append = extend = insert = remove = pop = clear = sort = reverse = _shared
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _shared


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
    named = ids != NONE
    ids, projects = ids[named], projects[named]
    codes, uniques = pd.factorize(projects)
    width = max(len(uniques), 1)
    pairs = pd.unique(ids * width + codes)
    found_ids, found_projects = np.divmod(pairs, width)
    scoped = [None if p == NONE else p for p in uniques.tolist()]
    return {(i, scoped[p]) for i, p in zip(found_ids.tolist(), found_projects.tolist(), strict=True)}


def row_reasons(columns: Sequence[KeyColumn], rows: int) -> list[list[str]]:
    """Per row, the distinct reasons of its key columns, in column order (empty when it has none).

    Rows with the same reasons share one `SharedReasons` list.
    """
    per_row: list[list[str]] = row_reason_array(columns, rows).tolist()
    return per_row


def row_reason_array(columns: Sequence[KeyColumn], rows: int) -> np.ndarray:
    """`row_reasons` as an object array (what a pandas column holds), without a Python list per row."""
    texts: dict[str, int] = {}
    codes = [_reason_codes(column, texts, rows) for column in columns]
    group, representative = _carried(codes, len(texts) + 1, rows)
    named = np.array([*texts, None], dtype=object)  # NONE (-1) takes the last one: no reason
    carried = [named[column_codes[representative]] for column_codes in codes]
    rows_of = zip(*carried, strict=True) if carried else ([] for _ in representative)
    made = map(SharedReasons, map(dict.fromkeys, map(filter, repeat(None), rows_of)))  # None: no reason
    shared = np.fromiter(made, dtype=object, count=len(representative))
    per_row: np.ndarray = shared[group]
    return per_row


def _carried(codes: Sequence[np.ndarray], radix: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the number of the reasons it carries (rows carrying the same share it), and a row of each number."""
    group = np.zeros(rows, dtype=np.int64)
    size = 1
    for column_codes in codes:
        if size * radix >= _LIMIT:
            group, uniques = pd.factorize(group)
            size = max(len(uniques), 1)
        group = group * radix + (column_codes + 1)
        size *= radix
    numbers, uniques = pd.factorize(group)
    representative = np.empty(len(uniques), dtype=np.int64)
    representative[numbers] = np.arange(rows, dtype=np.int64)  # any row of a number carries the same reasons
    return numbers, representative


def _reason_codes(column: KeyColumn, texts: dict[str, int], rows: int) -> np.ndarray:
    """Per row, the number of its reason text in `texts` (added as met), or NONE."""
    if not column.reasons:
        return np.full(rows, NONE, dtype=np.int64)
    known = list(column.reasons)
    known_projects = pd.Index(np.array([NONE if p is None else p for _, p in known], dtype=np.int64))
    projects = pd.Index(known_projects.unique())
    width = len(projects)
    known_keys = np.array([i for i, _ in known], dtype=np.int64) * width + projects.get_indexer(known_projects)
    scope = projects.get_indexer(pd.Index(column.projects))
    keys = np.where((scope >= 0) & (column.ids != NONE), column.ids * width + scope, NONE)
    position = pd.Index(known_keys).get_indexer(pd.Index(keys))
    numbers = np.array([texts.setdefault(text, len(texts)) for text in column.reasons.values()], dtype=np.int64)
    found: np.ndarray = np.where(position >= 0, numbers[position], NONE)
    return found
