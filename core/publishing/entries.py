"""Stored publish entries: refreshing them from the time clock, and reading them for the dashboards.

A refresh recomputes one module's aggregates for a date range (optionally some
job sites) and reconciles the stored entries with them: new keys are added,
changed values move entries through the status machine, keys gone from the
source become Deleted (when Procore has a record) or disappear. It reads the
range's entries with one query and writes with bulk statements guarded by each
entry's `version`, so a concurrent claim is never overwritten.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Select, String, Table, bindparam, delete, func, insert, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.db import utcnow
from core.errors import ProcoreConnectError
from core.models import Company, CostCode, Crew, Employee, JobSite, PayClass, PayID
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.publishing.modules import ReasonResolver, computed_entries, key_ids
from core.publishing.status import (
    NON_PUBLISHABLE,
    PUBLISHING,
    TO_DO,
    Facts,
    label,
    refreshed_status,
    summary_status,
    transition,
)

ENTRY_KEY_COLUMNS = ["company_id", "crew_id", "employee_id", "pay_id_id", "cost_code_id"]
_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_STATE_COLUMNS = [
    "id", "natural_key", "status", "reasons", "fingerprint", "published_fingerprint", "procore_id",
    "source_removed_at", "claim_token", "release_status", "version",
]


class RefreshConflict(ProcoreConnectError):
    """Entries changed (a claim, another refresh) while a refresh was writing; roll back and refresh again."""

    retriable = True


@dataclass
class Draft:
    """A status and its reasons being decided (for a new entry, or the release status of a claimed one)."""

    status: PublishStatus
    reasons: list[str] = field(default_factory=list)


@dataclass
class EntryState:
    """The publish-state columns of one stored entry."""

    id: int
    natural_key: str
    status: PublishStatus
    reasons: list[str]
    fingerprint: str
    published_fingerprint: str | None
    procore_id: int | None
    source_removed_at: datetime | None
    claim_token: str | None
    release_status: PublishStatus | None
    version: int


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
    inserts: list[dict[str, Any]] = field(default_factory=list)
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
) -> RefreshReport:
    """Recompute `module` for [start, end] (and `job_site_ids`) and bring the stored entries in line.

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
    module = PublishModule(module)
    report = RefreshReport(module=module, start=start, end=end)
    fresh = computed_entries(
        session, module=module, start=start, end=end, job_site_ids=job_site_ids, resolver=resolver
    )
    rows = fresh[["natural_key", "values", "fingerprint", "reasons"]].to_dict("records")
    position_of = {row["natural_key"]: position for position, row in enumerate(rows)}
    plan, now, seen = _Plan(), utcnow(), set()
    for state in existing_states(session, module=module, start=start, end=end, job_site_ids=job_site_ids):
        position = position_of.get(state.natural_key)
        if position is not None:
            seen.add(position)
        _plan_existing(plan, report, state, None if position is None else rows[position], now)
    new = fresh[~fresh.index.isin(list(seen))]
    plan.inserts = _new_entries(module, new, now, report)
    _apply(session, plan)
    session.expire_all()
    return report


def existing_states(
    session: Session,
    *,
    module: PublishModule,
    start: date,
    end: date,
    job_site_ids: Collection[int] | None = None,
) -> list[EntryState]:
    """The publish state of every stored entry of `module` in the range, in one query."""
    # Reasons come back as JSON text and are parsed only when there are some (most entries have none).
    columns = [type_coerce(_TABLE.c[name], String) if name == "reasons" else _TABLE.c[name] for name in _STATE_COLUMNS]
    query = select(*columns).where(*_range(module, start, end, job_site_ids))
    return [_state(row) for row in session.connection().execute(query).all()]


def _range(module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None) -> list[Any]:
    conditions = [_TABLE.c.module == module.value, _TABLE.c.work_date >= start, _TABLE.c.work_date <= end]
    if job_site_ids is not None:
        conditions.append(_TABLE.c.job_site_id.in_(list(job_site_ids)))
    return conditions


def _state(row: Any) -> EntryState:
    values = dict(zip(_STATE_COLUMNS, row, strict=True))
    values["status"] = PublishStatus(values["status"])
    values["release_status"] = None if values["release_status"] is None else PublishStatus(values["release_status"])
    values["reasons"] = [] if values["reasons"] in (None, "[]") else list(json.loads(values["reasons"]))
    return EntryState(**values)


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
    changes = _changes(state, subject, row, now)
    if changes is None:
        report.unchanged += 1
    else:
        (plan.updates if row is not None else plan.marks).append(changes)


def _changes(
    state: EntryState, subject: Draft, row: dict[str, Any] | None, now: datetime
) -> dict[str, Any] | None:
    """The columns to write for one entry, or None when nothing changed."""
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
        changes |= {"values": row["values"], "fingerprint": row["fingerprint"]}
    current = {"status": state.status, "reasons": state.reasons, "source_removed_at": state.source_removed_at,
               "release_status": state.release_status, "fingerprint": state.fingerprint}
    if all(current[name] == value for name, value in changes.items() if name != "values"):
        return None
    return changes | {"updated_at": now, "b_id": state.id, "b_version": state.version}


def _new_entries(
    module: PublishModule, new: pd.DataFrame, now: datetime, report: RefreshReport
) -> list[dict[str, Any]]:
    if new.empty:
        return []
    keys = key_ids(new)[["job_site_id", "work_date", *ENTRY_KEY_COLUMNS]].astype(object)
    keys = keys.where(keys.notna(), None)
    rows = []
    for key, natural_key, values, fingerprint, reasons in zip(
        keys.to_dict("records"), new["natural_key"], new["values"], new["fingerprint"], new["reasons"], strict=True
    ):
        draft = Draft(TO_DO)
        if reasons:
            transition(draft, NON_PUBLISHABLE, reasons=reasons)
        if draft.status is not TO_DO:
            report.moves[(TO_DO, draft.status)] += 1
        rows.append(
            key | {
                "module": module.value, "natural_key": natural_key, "values": values, "fingerprint": fingerprint,
                "status": draft.status.value, "reasons": draft.reasons, "version": 1,
                "created_at": now, "updated_at": now,
            }
        )
    report.created = len(rows)
    return rows


def _apply(session: Session, plan: _Plan) -> None:
    connection = session.connection()
    guard = [_TABLE.c.id == bindparam("b_id"), _TABLE.c.version == bindparam("b_version")]
    if plan.deletes:
        _expect(connection.execute(delete(_TABLE).where(*guard), plan.deletes), len(plan.deletes), connection)
    for batch in (plan.updates, plan.marks):
        if batch:
            names = [name for name in batch[0] if not name.startswith("b_")]
            values = {name: bindparam(name, type_=_TABLE.c[name].type) for name in names}
            statement = update(_TABLE).where(*guard).values(values | {"version": _TABLE.c.version + 1})
            _expect(connection.execute(statement, batch), len(batch), connection)
    if plan.inserts:
        try:
            connection.execute(insert(_TABLE), plan.inserts)
        except IntegrityError as error:
            raise RefreshConflict("another refresh added the same publish entries; refresh again") from error


def _expect(result: Any, expected: int, connection: Any) -> None:
    if connection.dialect.supports_sane_multi_rowcount and result.rowcount != expected:
        raise RefreshConflict(
            f"{expected - result.rowcount} publish entries changed during the refresh (a claim or another refresh); "
            "refresh again"
        )


DISPLAY_COLUMNS: dict[PublishModule, list[str]] = {
    PublishModule.MANPOWER: ["company", "crew", "total_hours", "manpower", "average_hours"],
    PublishModule.TIMECARD: ["employee", "employee_number", "pay_class", "cost_code", "pay_id", "hours"],
    PublishModule.QUANTITY: ["cost_code", "unit_of_measure", "units"],
    PublishModule.TIMESHEET: [],
}
_LEADING = ["id", "job_site_id", "job_site_number", "job_site", "work_date"]
_TRAILING = ["status", "status_label", "reasons", "procore_id", "updated_at"]


def entries_frame(
    session: Session,
    *,
    module: PublishModule,
    start: date,
    end: date,
    job_site_ids: Collection[int] | None = None,
    statuses: Collection[PublishStatus] | None = None,
) -> pd.DataFrame:
    """The stored entries of `module` in the range, labelled for people, one row per entry.

    Columns: id, job site (id, number, name), work_date, the module's
    DISPLAY_COLUMNS (names instead of ids: company, crew, employee, pay class,
    cost code, pay ID; then the values), status, status_label, reasons,
    procore_id and updated_at. Sorted by job site number, date, then names
    (company and crew; employee, cost code and pay ID; cost code).
    """
    module = PublishModule(module)
    query = _entries_query(module, start, end, job_site_ids, statuses)
    raw = pd.DataFrame(session.connection().execute(query).all(), columns=_ENTRY_QUERY_COLUMNS)
    values = pd.DataFrame(list(raw["values"]), index=raw.index) if len(raw) else pd.DataFrame(index=raw.index)
    frame = raw.assign(
        employee=(raw["first_name"] + " " + raw["last_name"]).where(raw["first_name"].notna(), None),
        pay_class=values.get("pay_class_id", pd.Series(None, index=raw.index)).map(_pay_class_names(session)),
        status_label=raw["status"].map(label),
        procore_id=raw["procore_id"].astype("Int64"),
    )
    for name in DISPLAY_COLUMNS[module]:
        if name in values and name not in frame:
            frame[name] = values[name]
    return frame.reindex(columns=[*_LEADING, *DISPLAY_COLUMNS[module], *_TRAILING])


_ENTRY_QUERY_COLUMNS = [
    "id", "job_site_id", "job_site_number", "job_site", "work_date", "company", "crew", "first_name", "last_name",
    "employee_number", "pay_id", "cost_code", "values", "status", "reasons", "procore_id", "updated_at",
]


_SITES: Table = JobSite.__table__  # type: ignore[attr-defined]
_COMPANIES: Table = Company.__table__  # type: ignore[attr-defined]
_CREWS: Table = Crew.__table__  # type: ignore[attr-defined]
_EMPLOYEES: Table = Employee.__table__  # type: ignore[attr-defined]
_PAY_IDS: Table = PayID.__table__  # type: ignore[attr-defined]
_COST_CODES: Table = CostCode.__table__  # type: ignore[attr-defined]
_PAY_CLASSES: Table = PayClass.__table__  # type: ignore[attr-defined]
_ORDER: dict[PublishModule, list[Any]] = {
    PublishModule.MANPOWER: [_COMPANIES.c.name, _CREWS.c.name],
    PublishModule.TIMECARD: [_EMPLOYEES.c.last_name, _EMPLOYEES.c.first_name, _COST_CODES.c.code, _PAY_IDS.c.code],
    PublishModule.QUANTITY: [_COST_CODES.c.code],
    PublishModule.TIMESHEET: [],
}


def _entries_query(
    module: PublishModule,
    start: date,
    end: date,
    job_site_ids: Collection[int] | None,
    statuses: Collection[PublishStatus] | None,
) -> Select[Any]:
    entry, site, employee = _TABLE.c, _SITES.c, _EMPLOYEES.c
    query = (
        select(
            entry.id, entry.job_site_id, site.number, site.name, entry.work_date, _COMPANIES.c.name, _CREWS.c.name,
            employee.first_name, employee.last_name, employee.number, _PAY_IDS.c.code, _COST_CODES.c.code,
            entry["values"], entry.status, entry.reasons, entry.procore_id, entry.updated_at,
        )
        .join(_SITES, site.id == entry.job_site_id)
        .outerjoin(_COMPANIES, _COMPANIES.c.id == entry.company_id)
        .outerjoin(_CREWS, _CREWS.c.id == entry.crew_id)
        .outerjoin(_EMPLOYEES, employee.id == entry.employee_id)
        .outerjoin(_PAY_IDS, _PAY_IDS.c.id == entry.pay_id_id)
        .outerjoin(_COST_CODES, _COST_CODES.c.id == entry.cost_code_id)
        .where(*_range(module, start, end, job_site_ids))
        .order_by(site.number, entry.work_date, *_ORDER[module], entry.natural_key)
    )
    if statuses is not None:
        query = query.where(entry.status.in_([PublishStatus(status).value for status in statuses]))
    return query


def _pay_class_names(session: Session) -> dict[Any, str]:
    rows = session.connection().execute(select(_PAY_CLASSES.c.id, _PAY_CLASSES.c.name))
    return {pay_class_id: name for pay_class_id, name in rows}


def status_counts(
    session: Session,
    *,
    module: PublishModule,
    start: date,
    end: date,
    job_site_ids: Collection[int] | None = None,
) -> pd.DataFrame:
    """Per job site and date with entries: how many entries have each status (one column per status value),
    `total`, and `summary_status`, the status the calendar cell shows (`status.summary_status`)."""
    query = (
        select(_TABLE.c.job_site_id, _TABLE.c.work_date, _TABLE.c.status, func.count())
        .where(*_range(PublishModule(module), start, end, job_site_ids))
        .group_by(_TABLE.c.job_site_id, _TABLE.c.work_date, _TABLE.c.status)
    )
    columns = ["job_site_id", "work_date", "status", "n"]
    long = pd.DataFrame(session.connection().execute(query).all(), columns=columns)
    wide = long.pivot_table(
        index=["job_site_id", "work_date"], columns="status", values="n", aggfunc="sum", fill_value=0
    )
    names = [status.value for status in PublishStatus]
    wide = wide.reindex(columns=names, fill_value=0).astype("int64")
    wide.columns.name = None
    wide["total"] = wide[names].sum(axis=1)
    present = wide[names].gt(0)
    wide["summary_status"] = [summary_status(s for s in names if row[s]) for row in present.to_dict("records")]
    return wide.reset_index()
