"""Stored publish entries: refreshing them from the time clock (the dashboards read them in `dashboard`).

A refresh recomputes one module's aggregates for a date range (optionally some
job sites) and reconciles the stored entries with them: new keys are added,
changed values move entries through the status machine, keys gone from the
source become Deleted (when Procore has a record) or disappear. It reads the
range's entries with one query (`stored`) and writes with bulk statements guarded by each
entry's `version`, so a concurrent claim is never overwritten.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, select, tuple_, update
from sqlalchemy import delete as sql_delete
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.aggregation import source
from core.aggregation.collection import collection_paused
from core.aggregation.source import JobSiteDay
from core.db import bulk_insert, utcnow
from core.errors import ErrorAction, ProcoreConnectError
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.publishing.calendar_marks import Aside, triggers_set_aside
from core.publishing.changed_entries import PlannedChanges, outcome, planned_changes
from core.publishing.modules import ReasonResolver, computed_entries, spec_for
from core.publishing.new_entries import new_entry_rows
from core.publishing.status import NON_PUBLISHABLE, TO_DO
from core.publishing.stored import range_conditions as range_conditions  # imported from here by the dashboards
from core.publishing.stored import stored_reasons, stored_states

_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]


class RefreshConflict(ProcoreConnectError):
    """Entries changed (a claim, another refresh) while a refresh was writing; roll back and refresh again."""

    action = ErrorAction.RETRY


@dataclass
class RefreshReport:
    """What a refresh did."""

    module: PublishModule
    start: date
    end: date
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    source_gone: int = 0
    removed: int = 0
    moves: Counter[tuple[PublishStatus, PublishStatus]] = field(default_factory=Counter)


def refresh_entries(
    session: Session,
    *,
    module: PublishModule,
    start: date,
    end: date,
    job_site_ids: Collection[int] | None = None,
    resolver: ReasonResolver | None = None,
    days: Collection[JobSiteDay] | None = None,
) -> RefreshReport:
    """Recompute `module` for [start, end] (and `job_site_ids`) and bring the stored entries in line.

    `days` narrows it to those job-site days (all within the range and job sites): only their time-clock rows
    are read, and only their entries compared and written.

    New key → To do, or Non publishable with its reasons. Changed values →
    Published becomes Updated, Deleted comes back, a failure is superseded
    (see `status.refreshed_status`). Key gone → Deleted when Procore has a
    record, otherwise the entry is removed. Entries being published keep
    Publishing; the refresh records their new values and the status a release
    would return to. Runs in the caller's transaction; ORM objects in the
    session are expired afterwards.

    Raises:
        RefreshConflict: entries changed while the refresh was writing.
        ValidationError: the module is not aggregated.
    """
    with collection_paused():
        return _refreshed(session, PublishModule(module), start, end, job_site_ids, resolver, days)


def _refreshed(
    session: Session, module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None,
    resolver: ReasonResolver | None, days: Collection[JobSiteDay] | None,
) -> RefreshReport:
    report = RefreshReport(module=module, start=start, end=end)
    with source.shared_reads():  # the time clock's rows read (ahead) outside the session while it reads the entries
        source.read_ahead(session, spec_for(module).load, start=start, end=end, job_site_ids=job_site_ids, days=days)
        stored = stored_states(session, module, start, end, job_site_ids, days)
        fresh = computed_entries(
            session, module=module, start=start, end=end, job_site_ids=job_site_ids, resolver=resolver, days=days
        )
    if days is not None:
        fresh = fresh[_on_days(fresh, days)]
    found, is_new = _matched(stored["natural_key"], fresh["natural_key"])
    picked = fresh[["natural_key", "values_json", "fingerprint", "reasons"]].reset_index(drop=True).reindex(found)
    merged = pd.concat([stored, picked.add_prefix("fresh_").set_axis(stored.index)], axis=1)
    untouched = _untouched(merged)
    now = utcnow()
    touched = merged[~untouched]
    planned = planned_changes(module, touched, fresh.reindex(found[~untouched.to_numpy()]).set_axis(touched.index), now)
    report.unchanged = int(untouched.sum()) + planned.unchanged
    report.changed, report.source_gone, report.removed = planned.changed, planned.source_gone, len(planned.deletes)
    report.moves.update(planned.moves)
    inserts, blocked = new_entry_rows(module, fresh[is_new], now)
    report.created = len(inserts)
    if blocked:
        report.moves[(TO_DO, NON_PUBLISHABLE)] += blocked
    _apply(session, module, planned, inserts)
    session.expire_all()
    return report


def _matched(stored: pd.Series, fresh: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per stored key, the position of the same key among the fresh ones (-1: gone from the source); per fresh
    key, whether it is new. Keys are unique on each side; both are hashed once, together."""
    codes, _ = pd.factorize(np.concatenate([stored.to_numpy(dtype=object), fresh.to_numpy(dtype=object)]))
    stored_codes, fresh_codes = codes[: len(stored)], codes[len(stored):]
    position = np.full(len(codes), -1, dtype=np.int64)
    position[fresh_codes] = np.arange(len(fresh_codes))
    found = position[stored_codes]
    is_new = np.ones(len(fresh_codes), dtype=bool)
    is_new[found[found >= 0]] = False
    return found, is_new


def _on_days(fresh: pd.DataFrame, days: Collection[JobSiteDay]) -> np.ndarray:
    """Which rows of `fresh` lie on one of `days`."""
    wanted = {(int(site), day) for site, day in days}
    pairs = zip(fresh["job_site_id"].astype("int64").tolist(), fresh["work_date"].tolist(), strict=True)
    return np.fromiter((pair in wanted for pair in pairs), dtype=bool, count=len(fresh))


def _untouched(merged: pd.DataFrame) -> pd.Series:
    """Entries a refresh leaves exactly as they are (the common case), found for all rows at once.

    The decision is the status machine's, as for the entries that change (`changed_entries.outcome`): it is
    asked once per distinct combination of status and facts, not once per entry.
    """
    calm = (
        (merged["fresh_fingerprint"] == merged["fingerprint"])
        & merged["source_removed_at"].isna()
        & merged["claim_token"].isna()
    )
    candidates = merged[calm]  # a claimed entry is never one: its release status may change
    facts = list(zip(
        candidates["status"], candidates["procore_id"].notna(),
        candidates["fresh_fingerprint"] == candidates["published_fingerprint"],
        candidates["fresh_reasons"].map(lambda reasons: bool(reasons) if isinstance(reasons, list) else False),
        strict=True,
    ))
    stays = {combo: _stays(*combo) for combo in set(facts)}
    staying = np.zeros(len(merged), dtype=bool)
    staying[calm.to_numpy(dtype=bool)] = [stays[combo] for combo in facts]
    untouched = pd.Series(staying, index=merged.index, dtype=bool)
    recheck = untouched & (merged["status"] == NON_PUBLISHABLE.value)  # stays only with the very same reasons
    if recheck.any():
        stored = merged.loc[recheck, "reasons"].tolist()
        parsed = {text: stored_reasons(text) for text in set(stored)}  # blocked entries share a few reasons
        same = [parsed[text] == fresh for text, fresh in zip(stored, merged.loc[recheck, "fresh_reasons"], strict=True)]
        untouched[recheck] = pd.Series(same, index=untouched.index[recheck], dtype=bool)
    return untouched


def _stays(status: str, published: bool, matches_published: bool, has_reasons: bool) -> bool:
    """Whether the status machine leaves an unclaimed entry, still in the source with the same values, as it is."""
    decided = outcome(status, None, True, published, matches_published, False, has_reasons)
    return not decided.delete and decided.status == status  # an unclaimed entry has no release; same status, no move


def _apply(session: Session, module: PublishModule, planned: PlannedChanges, inserts: pd.DataFrame) -> None:
    connection = session.connection()
    changes = [(rows, delete) for rows, delete in ((planned.deletes, True), (planned.updates, False),
                                                   (planned.states, False)) if not rows.empty]
    with triggers_set_aside(connection, sum(len(rows) for rows, _ in changes) + len(inserts)) as aside:
        for rows, delete in changes:
            _written(connection, rows, delete=delete, aside=aside)
        duplicate = (IntegrityError, connection.dialect.loaded_dbapi.IntegrityError)
        try:
            bulk_insert(connection, _TABLE.name, inserts)  # in parts of its own; quotes "values" (an SQL keyword)
        except duplicate as error:
            raise RefreshConflict("another refresh added the same publish entries; refresh again") from error
        if aside is not None:
            aside.mark_rows(module.value, inserts)


def _written(connection: Connection, rows: pd.DataFrame, *, delete: bool = False, aside: Aside | None = None) -> None:
    """Delete the entries `rows` name, or write their other columns to them, each guarded by the entry's id and
    version (`b_id`, `b_version`): an entry claimed or refreshed meanwhile is not written, and the refresh fails.
    With the calendar's triggers set `aside`, their job-site days are marked first.

    The rows are loaded into a temporary table as a bulk insert loads (COPY on PostgreSQL) and written by one
    statement: SQLite runs the calendar's row triggers (migration 0016) for 25–35 µs per statement when
    `executemany` runs one per row, and binding each row's parameters cost more than the writes themselves.
    """
    names = [str(name) for name in rows.columns if not str(name).startswith("b_")]
    staged = Table("staged_entry_changes", MetaData(), Column("b_id", BigInteger), Column("b_version", Integer),
                   *(Column(name, _TABLE.c[name].type) for name in names), prefixes=["TEMPORARY"])
    staged.drop(connection, checkfirst=True)
    staged.create(connection)
    try:
        bulk_insert(connection, staged.name, rows)
        if aside is not None:
            aside.mark_entries(staged.name)
        statement: Any
        if delete:
            statement = sql_delete(_TABLE).where(tuple_(_TABLE.c.id, _TABLE.c.version).in_(
                select(staged.c.b_id, staged.c.b_version)))
        else:
            copied = {name: staged.c[name] for name in names}
            statement = update(_TABLE).where(_TABLE.c.id == staged.c.b_id, _TABLE.c.version == staged.c.b_version
                                             ).values(copied | {"version": _TABLE.c.version + 1})
        written = connection.execute(statement).rowcount
    finally:
        staged.drop(connection)
    if written != len(rows):
        raise RefreshConflict(f"{len(rows) - written} publish entries changed during the refresh (a claim or "
                              "another refresh); refresh again")
