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

CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json_column(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Per row, the canonical JSON of {column: value} over `columns` (missing values as null)."""
    if frame.empty:
        return pd.Series([], dtype=object, index=frame.index)
    text = np.full(len(frame), "{", dtype=object)
    for position, name in enumerate(sorted(columns)):
        prefix = ("," if position else "") + CANONICAL.encode(name) + ":"
        text = text + (prefix + _encoded(frame[name]))
    return pd.Series(text + "}", index=frame.index, dtype=object)


def joined_text_column(frame: pd.DataFrame, columns: Sequence[str], separator: str) -> pd.Series:
    """Per row, the values of `columns` as text joined by `separator`; a missing value is empty ("12|2026-11-20|3|")."""
    if frame.empty:
        return pd.Series([], dtype=object, index=frame.index)
    text: np.ndarray | None = None
    for name in columns:
        part = _encoded(frame[name], encode=str, missing="")
        text = part if text is None else text + separator + part
    return pd.Series(text, index=frame.index, dtype=object)


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
    """The SHA-256 (hex) of each text."""
    return pd.Series([hashlib.sha256(text.encode()).hexdigest() for text in texts.tolist()],
                     index=texts.index, dtype=object)
