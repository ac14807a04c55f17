"""Stored publish entries: refreshing them from the time clock (the dashboards read them in `dashboard`).

A refresh recomputes one module's aggregates for a date range (optionally some
job sites) and reconciles the stored entries with them: new keys are added,
changed values move entries through the status machine, keys gone from the
source become Deleted (when Procore has a record) or disappear. It reads the
range's entries with one query (`stored`) and writes with bulk statements guarded by each
entry's `version`, so a concurrent claim is never overwritten.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, insert, select, tuple_, update
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
from core.publishing.figures import figure_values
from core.publishing.modules import ReasonResolver, computed_entries, spec_for
from core.publishing.new_entries import new_entry_rows
from core.publishing.status import NON_PUBLISHABLE, PUBLISHING, TO_DO, Draft, Facts, refreshed_status, transition
from core.publishing.stored import EntryState, entry_state, stored_reasons, stored_states
from core.publishing.stored import range_conditions as range_conditions  # imported from here by the dashboards

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


@dataclass
class _Plan:
    inserts: pd.DataFrame = field(default_factory=pd.DataFrame)
    updates: list[dict[str, Any]] = field(default_factory=list)  # source present: new values too
    marks: list[dict[str, Any]] = field(default_factory=list)  # source gone: state only
    deletes: list[dict[str, Any]] = field(default_factory=list)


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
    report.unchanged = int(untouched.sum())
    plan, now = _Plan(), utcnow()
    for record in merged[~untouched].to_dict("records"):
        gone = not isinstance(record["fresh_natural_key"], str)
        row = None if gone else {name: record[f"fresh_{name}"] for name in ("values_json", "fingerprint", "reasons")}
        _plan_existing(plan, report, entry_state(record), row, now)
    plan.inserts, blocked = new_entry_rows(module, fresh[is_new], now)
    report.created = len(plan.inserts)
    if blocked:
        report.moves[(TO_DO, NON_PUBLISHABLE)] += blocked
    _apply(session, plan)
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

    The decision is still `refreshed_status`'s: it is asked once per distinct
    combination of status and facts, not once per entry.
    """
    calm = (
        (merged["fresh_fingerprint"] == merged["fingerprint"])
        & merged["source_removed_at"].isna()
        & merged["claim_token"].isna()
    )
    facts = list(zip(
        merged["status"], merged["procore_id"].notna(), merged["fresh_fingerprint"] == merged["published_fingerprint"],
        merged["fresh_reasons"].map(lambda reasons: bool(reasons) if isinstance(reasons, list) else False),
        strict=True,
    ))
    stays = {combo: _stays(*combo) for combo in set(facts)}
    untouched = calm & pd.Series([stays[combo] for combo in facts], index=merged.index, dtype=bool)
    recheck = untouched & (merged["status"] == NON_PUBLISHABLE.value)  # stays only with the very same reasons
    if recheck.any():
        stored = merged.loc[recheck, "reasons"].tolist()
        parsed = {text: stored_reasons(text) for text in set(stored)}  # blocked entries share a few reasons
        same = [parsed[text] == fresh for text, fresh in zip(stored, merged.loc[recheck, "fresh_reasons"], strict=True)]
        untouched[recheck] = pd.Series(same, index=untouched.index[recheck], dtype=bool)
    return untouched


def _stays(status: str, published: bool, matches_published: bool, has_reasons: bool) -> bool:
    facts = Facts(in_source=True, published=published, matches_published=matches_published,
                  reasons=("any",) if has_reasons else ())
    return refreshed_status(PublishStatus(status), facts) == status


def _plan_existing(
    plan: _Plan, report: RefreshReport, state: EntryState, row: dict[str, Any] | None, now: datetime
) -> None:
    """Decide what a refresh does to one stored entry (`row` is its fresh aggregate, None when gone)."""
    fingerprint = state.fingerprint if row is None else row["fingerprint"]
    facts = Facts(
        in_source=row is not None,
        published=state.procore_id is not None,
        matches_published=fingerprint == state.published_fingerprint,
        values_changed=fingerprint != state.fingerprint,
        reasons=() if row is None else tuple(row["reasons"]),
    )
    claimed = state.status is PUBLISHING
    # A claimed entry keeps Publishing; what changes is the status its release returns to.
    subject = Draft((state.release_status or TO_DO) if claimed else state.status, list(state.reasons))
    before = subject.status
    target = refreshed_status(before, facts)
    if target is None and not claimed:
        plan.deletes.append({"b_id": state.id, "b_version": state.version})
        report.removed += 1
        return
    new_reasons = target is NON_PUBLISHABLE and list(facts.reasons) != subject.reasons
    if target is not None and (target != before or new_reasons):
        transition(subject, target, reasons=facts.reasons)
        if target != before:
            report.moves[(before, target)] += 1
    report.changed += int(row is not None and facts.values_changed)
    report.source_gone += int(row is None and state.source_removed_at is None)
    changes = _changes(report.module, state, subject, row, now)
    if changes is None:
        report.unchanged += 1
    else:
        (plan.updates if row is not None else plan.marks).append(changes)


def _changes(
    module: PublishModule, state: EntryState, subject: Draft, row: dict[str, Any] | None, now: datetime
) -> dict[str, Any] | None:
    """The columns to write for one entry, or None when nothing changed (new values come with their figures)."""
    claimed = state.status is PUBLISHING
    release = subject.status if claimed else None
    removed_at = None if row is not None else (state.source_removed_at or now)
    changes: dict[str, Any] = {
        "status": state.status if claimed else subject.status,
        "reasons": list(subject.reasons),
        "source_removed_at": removed_at,
        "release_status": release,
    }
    if row is not None:
        values = json.loads(row["values_json"])
        changes |= {"values": values, "fingerprint": row["fingerprint"], **figure_values(module, values)}
    current = {"status": state.status, "reasons": state.reasons, "source_removed_at": state.source_removed_at,
               "release_status": state.release_status, "fingerprint": state.fingerprint}
    # The values and their figures go with the fingerprint.
    if all(current[name] == value for name, value in changes.items() if name in current):
        return None
    return changes | {"updated_at": now, "b_id": state.id, "b_version": state.version}


def _apply(session: Session, plan: _Plan) -> None:
    connection = session.connection()
    if plan.deletes:
        _written(connection, plan.deletes, delete=True)
    for batch in (plan.updates, plan.marks):
        if batch:
            _written(connection, batch)
    duplicate = (IntegrityError, connection.dialect.loaded_dbapi.IntegrityError)
    try:
        bulk_insert(connection, _TABLE.name, plan.inserts)  # in parts of its own; quotes "values" (an SQL keyword)
    except duplicate as error:
        raise RefreshConflict("another refresh added the same publish entries; refresh again") from error


def _written(connection: Connection, batch: list[dict[str, Any]], *, delete: bool = False) -> None:
    """Delete the entries of `batch`, or write its changes to them, each guarded by the entry's id and version.

    SQLite runs the calendar's row triggers (migration 0016) once per statement: by `executemany` they cost
    25–35 µs per entry, within one statement nothing measurable. There, the batch is staged in a temporary
    table and written by one statement.
    """
    names = [name for name in batch[0] if not name.startswith("b_")]
    statement: Any
    if connection.dialect.name != "sqlite":
        changes = {name: bindparam(name, type_=_TABLE.c[name].type) for name in names}
        statement = sql_delete(_TABLE) if delete else update(_TABLE).values(changes | {"version": _TABLE.c.version + 1})
        guard = [_TABLE.c.id == bindparam("b_id"), _TABLE.c.version == bindparam("b_version")]
        _expect(connection.execute(statement.where(*guard), batch), len(batch), connection)
        return
    staged = Table("staged_entry_changes", MetaData(), Column("b_id", Integer), Column("b_version", Integer),
                   *(Column(name, _TABLE.c[name].type) for name in names), prefixes=["TEMPORARY"])
    staged.drop(connection, checkfirst=True)
    staged.create(connection)
    try:
        connection.execute(insert(staged), batch)  # the columns' own types write the values as the table holds them
        matched = [_TABLE.c.id == staged.c.b_id, _TABLE.c.version == staged.c.b_version]
        if delete:
            statement = sql_delete(_TABLE).where(tuple_(_TABLE.c.id, _TABLE.c.version).in_(
                select(staged.c.b_id, staged.c.b_version)))
        else:
            copied = {name: staged.c[name] for name in names}
            statement = update(_TABLE).where(*matched).values(copied | {"version": _TABLE.c.version + 1})
        result = connection.execute(statement)
    finally:
        staged.drop(connection)
    if result.rowcount != len(batch):
        _conflict(len(batch) - result.rowcount)


def _expect(result: Any, expected: int, connection: Any) -> None:
    if connection.dialect.supports_sane_multi_rowcount and result.rowcount != expected:
        _conflict(expected - result.rowcount)


def _conflict(missed: int) -> None:
    raise RefreshConflict(
        f"{missed} publish entries changed during the refresh (a claim or another refresh); refresh again")

