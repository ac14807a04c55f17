"""The rows a refresh inserts for entries it sees for the first time: keys, values, figures, status and reasons,
as columns ready for `core.db.bulk_insert` (each distinct date and reason list written out once)."""

from __future__ import annotations

import json
from datetime import date, datetime

import numpy as np
import pandas as pd

from core.models.publishing import PublishModule
from core.publishing.figures import figure_frame
from core.publishing.modules import key_ids
from core.publishing.status import NON_PUBLISHABLE, TO_DO, Draft, transition

ENTRY_KEY_COLUMNS = ["company_id", "crew_id", "employee_id", "pay_id_id", "cost_code_id"]


def new_entry_rows(module: PublishModule, new: pd.DataFrame, now: datetime) -> tuple[pd.DataFrame, int]:
    """Rows for `bulk_insert` of the keys a refresh sees for the first time, and how many of them are blocked:
    each starts To do and moves to Non publishable when it has reasons."""
    reasons = reasons_json(new["reasons"])
    blocked = reasons != "[]"
    status_of = {False: _new_status(()), True: _new_status(("any",))}  # the status machine decides both moves
    statuses = np.where(blocked, status_of[True], status_of[False])
    stamp = pd.Series(pd.Timestamp(now), index=new.index, dtype="datetime64[us, UTC]")
    texts = {  # object columns: pandas would turn lists of text into its own string type, and bulk_insert back
        "work_date": _iso_dates(new["work_date"]), "module": module.value,
        "natural_key": new["natural_key"], "values": new["values_json"], "fingerprint": new["fingerprint"],
        "status": statuses, "reasons": reasons,
    }
    frame = key_ids(new)[["job_site_id", "work_date", *ENTRY_KEY_COLUMNS]].assign(
        **{name: pd.Series(value, index=new.index, dtype=object) for name, value in texts.items()},
        **{str(name): column for name, column in figure_frame(module, new).items()},
        version=1, created_at=stamp, updated_at=stamp,
    )
    return frame, int(blocked.sum())


def _iso_dates(days: pd.Series) -> np.ndarray:
    """Each date as ISO text, each distinct day written once."""
    codes, distinct = pd.factorize(days)
    texts: np.ndarray = np.array([date.isoformat(day) for day in distinct.tolist()], dtype=object)[codes]
    return texts


def reasons_json(reasons: pd.Series) -> np.ndarray:
    """Each row's list of reasons as stored (JSON), each distinct list encoded once.

    Rows carrying the same reasons mostly share one list object (`core.sync.reason_rows`), so a list is
    looked up by identity first and its contents are read once per object, not once per row.
    """
    rows = reasons.tolist()  # holds every list alive, so no id below is reused during the loop
    by_value: dict[tuple[str, ...], str] = {}
    by_object: dict[int, str] = {}

    def encoded(found: list[str]) -> str:
        text = by_object.get(id(found))
        if text is None:
            value = tuple(found)
            text = by_value.get(value) or by_value.setdefault(value, json.dumps(list(value)))
            by_object[id(found)] = text
        return text

    return np.array([encoded(found) for found in rows], dtype=object)


def _new_status(found: tuple[str, ...]) -> str:
    """A new entry's status: To do, or Non publishable when `found` names reasons."""
    draft = Draft(TO_DO)
    if found:
        transition(draft, NON_PUBLISHABLE, reasons=list(found))
    return draft.status.value
