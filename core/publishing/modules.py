"""Computing a module's entries: aggregation by its spec, natural keys, fingerprints and what blocks publishing.

Each module's spec and value rules live in its definition (`core.modules`).
Mapping problems come from an injected `ReasonResolver`, so this module does
not depend on Data mapping.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sqlmodel import Session

from core.aggregation.collection import collection_paused
from core.aggregation.fingerprints import CANONICAL, canonical_json_column, joined_text_column, sha256_column
from core.aggregation.source import JobSiteDay
from core.models.publishing import PublishModule
from core.modules.definition import ModuleSpec
from core.modules.registry import definition

KEY_SEPARATOR = "|"
# Every key id an entry can carry, in the order a resolver receives them.
KEY_ID_COLUMNS = [
    "job_site_id", "work_date", "company_id", "crew_id", "employee_id", "pay_id_id", "cost_code_id", "pay_class_id",
]


class ReasonResolver(Protocol):
    """Finds mapping problems: per row of `keys` (KEY_ID_COLUMNS, missing ids as NA), the list of reasons.

    For example "Job site 1007 Bayfront Hotel is not mapped to a Procore
    project". An empty list means the row can be published as far as mapping
    goes. The result has one list per row, in row order.
    """

    def __call__(self, module: PublishModule, keys: pd.DataFrame) -> Sequence[list[str]]: ...


def spec_for(module: PublishModule | str) -> ModuleSpec:
    """The spec of `module` (its definition's)."""
    return definition(module).spec


def computed_entries(
    session: Session,
    *,
    module: PublishModule,
    start: date,
    end: date,
    job_site_ids: Collection[int] | None = None,
    resolver: ReasonResolver | None = None,
    days: Collection[JobSiteDay] | None = None,
) -> pd.DataFrame:
    """The entries the time clock holds now: key columns, natural_key, values_json (the value columns as
    canonical JSON), fingerprint and reasons; of exactly `days` (within the range) when given."""
    spec = spec_for(module)
    with collection_paused():
        frame = spec.aggregate(spec.load(session, start=start, end=end, job_site_ids=job_site_ids, days=days))
        frame = frame.reset_index(drop=True)
        frame["natural_key"] = natural_keys(frame, spec.key)
        frame["values_json"] = canonical_json_column(frame, spec.values)
        frame["fingerprint"] = sha256_column(frame["values_json"])
        frame["reasons"] = _reasons(module, spec, frame, resolver)
    return frame


def natural_keys(frame: pd.DataFrame, key: Sequence[str]) -> pd.Series:
    """The key columns as text joined by KEY_SEPARATOR; a missing id is empty ("12|2026-11-20|3|")."""
    return joined_text_column(frame, key, KEY_SEPARATOR)


def value_dicts(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """The value columns of each row as a JSON-ready dict (Python numbers, None for missing)."""
    lists = [frame[name].astype(object).where(frame[name].notna(), None).tolist() for name in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*lists, strict=True)]


def canonical_json(values: dict[str, Any]) -> str:
    """`values` as canonical JSON: sorted keys, no spaces, non-ASCII kept."""
    return CANONICAL.encode(values)


def fingerprint(values: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of `values`."""
    return _sha256(canonical_json(values))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def key_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """KEY_ID_COLUMNS of `frame`; ids a module does not key on are NA (Int64)."""
    missing = pd.arrays.IntegerArray(np.zeros(len(frame), dtype=np.int64), np.ones(len(frame), dtype=bool))  # all NA
    return pd.DataFrame({name: frame.get(name, missing) for name in KEY_ID_COLUMNS}, index=frame.index)


def _reasons(
    module: PublishModule, spec: ModuleSpec, frame: pd.DataFrame, resolver: ReasonResolver | None
) -> list[list[str]]:
    reasons = spec.rules(frame)
    if resolver is None or frame.empty:
        return reasons
    found = list(resolver(module, key_ids(frame)))
    if len(found) != len(frame):
        raise ValueError(f"the resolver gave {len(found)} results for {len(frame)} entries")
    for position, own in enumerate(reasons):  # value rules flag few rows: only those get a list of their own
        if own:
            found[position] = [*found[position], *own]
    return found
