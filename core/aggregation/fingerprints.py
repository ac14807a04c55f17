"""Natural keys, canonical JSON and SHA-256 fingerprints of whole columns, without a dict per row.

An entry's fingerprint is the SHA-256 of its values as canonical JSON (sorted
keys, no spaces, non-ASCII kept). Value columns hold few distinct values (hours
in quarter steps, head counts, pay class ids), so each distinct value is encoded
once by the same JSON encoder and the texts are joined column by column; only the
hash is computed per row. The text is the very one `json` gives for the row's dict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.aggregation.columnar import release_unused_memory

CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json_column(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Per row, the canonical JSON of {column: value} over `columns` (missing values as null), each distinct
    combination of values written once."""
    if frame.empty:
        return pd.Series([], dtype=object, index=frame.index)
    combination, first = combinations(frame, columns)
    distinct = frame.iloc[first]
    text = np.full(len(distinct), "{", dtype=object)
    for position, name in enumerate(sorted(columns)):
        prefix = ("," if position else "") + CANONICAL.encode(name) + ":"
        text = text + (prefix + _encoded(distinct[name]))
    written: np.ndarray = (text + "}")[combination]
    return pd.Series(written, index=frame.index, dtype=object)


def joined_text_column(frame: pd.DataFrame, columns: Sequence[str], separator: str) -> pd.Series:
    """Per row, the values of `columns` as text joined by `separator`; a missing value is empty ("12|2026-11-20|3|").

    Each distinct value is written once; the texts are joined in Arrow, and only the joined text is made per row.
    """
    if frame.empty:
        return pd.Series([], dtype=object, index=frame.index)
    parts = []
    for name in columns:
        codes, uniques = pd.factorize(frame[name], use_na_sentinel=True)
        texts = [str(value) for value in pd.Series(uniques, dtype=object).tolist()]
        dictionary = pa.array([*texts, ""], type=pa.large_string())  # code -1 (missing) takes the last one, ""
        parts.append(dictionary.take(pa.array(np.where(codes < 0, len(texts), codes))))
    joined = pc.binary_join_element_wise(*parts, pa.scalar(separator, pa.large_string()))
    joined_texts = pd.Series(joined.to_numpy(zero_copy_only=False), index=frame.index, dtype=object)
    del joined, parts
    release_unused_memory()
    return joined_texts


def combinations(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the number of its combination of values of `columns`, and one row of each combination."""
    group = np.zeros(len(frame), dtype=np.int64)
    for name in columns:
        codes, uniques = pd.factorize(frame[name], use_na_sentinel=True)
        group, _ = pd.factorize(group * (len(uniques) + 1) + (codes + 1))
    _, first = np.unique(group, return_index=True)
    return group, first


def _encoded(
    column: pd.Series, *, encode: Callable[[Any], str] = CANONICAL.encode, missing: str = "null"
) -> np.ndarray:
    """Each value of `column` as text (JSON by default), every distinct value encoded once."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    texts = [encode(value) for value in pd.Series(uniques, dtype=object).astype(object).tolist()]
    encoded = np.array([*texts, missing], dtype=object)  # code -1 (missing) takes the last one
    picked: np.ndarray = encoded[codes]
    return picked


def sha256_column(texts: pd.Series) -> pd.Series:
    """The SHA-256 (hex) of each text, each distinct text hashed once."""
    codes, uniques = pd.factorize(texts)
    hashes = np.array([hashlib.sha256(text.encode()).hexdigest() for text in uniques.tolist()], dtype=object)
    return pd.Series(hashes[codes], index=texts.index, dtype=object)
