"""The publish state of stored entries as a refresh reads it: one query per range, parsed only where needed."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, String, Table, Text, cast, select, tuple_, type_coerce
from sqlmodel import Session

from core.aggregation.source import JobSiteDay
from core.models.publishing import PublishEntry, PublishModule

_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
STATE_COLUMNS = [
    "id", "natural_key", "status", "reasons", "fingerprint", "published_fingerprint", "procore_id",
    "source_removed_at", "claim_token", "release_status", "version",
]


def stored_states(
    session: Session, module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None,
    days: Collection[JobSiteDay] | None = None,
) -> pd.DataFrame:
    """The publish state of every stored entry of `module` in the range (only `days` when given), in one query.

    Reasons come back as their stored text, which the database writes out (a driver
    would parse every JSON column it is handed): they are parsed later, for the few
    entries a refresh looks at. The removal instant comes as the driver gives it
    (text on SQLite), and rows as the driver's plain tuples.
    """
    read_as: dict[str, ColumnElement[Any]] = {
        "reasons": cast(_TABLE.c.reasons, Text),  # written out by the database: the driver would parse JSON
        "source_removed_at": type_coerce(_TABLE.c.source_removed_at, String),
    }
    columns = [read_as.get(name, _TABLE.c[name]) for name in STATE_COLUMNS]
    conditions = range_conditions(module, start, end, job_site_ids) if days is None else day_conditions(module, days)
    query = select(*columns).where(*conditions)
    rows = session.connection().execute(query).cursor.fetchall()
    return pd.DataFrame(rows, columns=STATE_COLUMNS, dtype=object)  # object: ids stay exact Python ints


def range_conditions(
    module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None
) -> list[Any]:
    """WHERE conditions selecting the entries of `module` in [start, end] (and `job_site_ids`)."""
    conditions = [_TABLE.c.module == module.value, _TABLE.c.work_date >= start, _TABLE.c.work_date <= end]
    if job_site_ids is not None:
        conditions.append(_TABLE.c.job_site_id.in_(list(job_site_ids)))
    return conditions


def day_conditions(module: PublishModule, days: Collection[JobSiteDay]) -> list[Any]:
    """WHERE conditions selecting the entries of `module` on exactly these job-site days.

    The dates and the job sites are also named on their own, so the database seeks each pair of them in the
    calendar's index (module, date, job site) instead of reading the whole range (SQLite uses no index for a
    list of pairs).
    """
    pairs = sorted({(day, int(site)) for site, day in days})
    entry = _TABLE.c
    return [
        entry.module == module.value,
        entry.work_date.in_(sorted({day for day, _ in pairs})),
        entry.job_site_id.in_(sorted({site for _, site in pairs})),
        tuple_(entry.work_date, entry.job_site_id).in_(pairs),
    ]


def stored_reasons(stored: Any) -> list[str]:
    if stored is None or stored == "[]":
        return []
    return list(json.loads(stored) if isinstance(stored, str) else stored)


def stored_instant(stored: Any) -> datetime | None:
    """A stored UTC instant read as text (SQLite) or as a datetime (PostgreSQL)."""
    if stored is None:
        return None
    value = stored if isinstance(stored, datetime) else datetime.fromisoformat(str(stored))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
