"""Undo a publish run: what it created is deleted, what it updated gets back the fields it had, what it deleted
is written again.

The plan comes from the audit: each write of the run that Procore accepted, and for an update or a delete
the fields our previous accepted write had set. Procore is read with list calls only (one per project for
the run's dates), so that a record changed in Procore since the run, approved there, or gone, is left alone
and listed with the reason, unless forced (approved records are left alone even then: Procore refuses to
change them). An undone create leaves its entry To do; an undone update leaves it Updated (Procore holds the
older fields); a record the run deleted comes back, and with no time logs behind it, no entry tracks it.

The undo is a run of its own in the audit (action "undo N"); a run already undone is not undone again.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import uuid4

from sqlalchemy import Table, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from core.access import Identity, Perm
from core.config import Settings
from core.db import session_scope
from core.errors import NotFoundError, ProcoreConnectError
from core.models.mapping import Entity
from core.models.publishing import AttemptAction, PublishAttempt, PublishModule, PublishRun, PublishStatus
from core.modules.registry import definition
from core.modules.targets.base import Outgoing, Payload, Remote, Target, compared_fields
from core.procore.client import ProcoreClient
from core.publishing import audit
from core.publishing.claims import claim_entries, record_published, record_remote_deleted, release_claim
from core.publishing.refresh import enabled_company
from core.publishing.status import PublishAction
from core.sync.links import links_by_local

_ATTEMPTS: Table = PublishAttempt.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__
UNDO_PREFIX = "undo "
_UNDONE_VALUES = {"undone": True}  # what an undone update's entry is marked as having published: never its values


class UndoKind(StrEnum):
    DELETE = "delete what the run created"
    RESTORE = "restore what the run updated"
    RECREATE = "write again what the run deleted"


@dataclass(frozen=True)
class UndoItem:
    """One write of the run and how it is undone (`left_alone` says why it is not)."""

    kind: UndoKind
    entry_id: int | None
    natural_key: str
    job_site_id: int
    work_date: date
    procore_id: int | None
    written: Payload | None  # what the run wrote (None for a delete)
    restore: Payload | None  # what our previous write had set (None for a create)
    project_id: int | None = None
    left_alone: str | None = None


@dataclass
class UndoPlan:
    run_id: int
    module: PublishModule
    items: list[UndoItem] = field(default_factory=list)
    undone_by: int | None = None  # the undo run that already undid this run

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for item in self.items:
            found["left alone" if item.left_alone else item.kind.value] += 1
        return dict(found)


@dataclass
class UndoReport:
    plan: UndoPlan
    undo_run_id: int | None = None
    done: dict[UndoKind, int] = field(default_factory=lambda: defaultdict(int))
    failed: list[tuple[UndoItem, str]] = field(default_factory=list)


def plan_undo(settings: Settings, engine: Engine, *, run_id: int, actor: Identity, force: bool = False,
              client: ProcoreClient | None = None) -> UndoPlan:
    """What undoing `run_id` would do, with Procore read now (nothing is written).

    Raises:
        NotFoundError: there is no such run, or it is itself an undo.
        PermissionDenied: `actor` may not publish (or force, when `force`).
    """
    _require(actor, force=force)
    with Session(engine) as session:
        run = session.get(PublishRun, run_id)
        if run is None or run.action.startswith(UNDO_PREFIX):
            raise NotFoundError(f"There is no publish run {run_id} to undo.")
        plan = UndoPlan(run_id, PublishModule(run.module))
        plan.undone_by = session.connection().execute(
            select(col(PublishRun.id)).where(col(PublishRun.action) == f"{UNDO_PREFIX}{run_id}")
        ).scalar()
        if plan.undone_by is not None:
            return plan
        company_id = enabled_company(session, plan.module)
        projects = {site: link.procore_id for site, link in
                    links_by_local(session, entity=Entity.JOB_SITE, company_id=company_id).items()}
        items = [_item(session, attempt, projects.get(attempt["job_site_id"])) for attempt in _writes(session, run_id)]
    target = definition(plan.module).target
    with _client(settings, engine, client) as procore:
        remote = _listed(procore, target, items)
    plan.items = [_checked(target, item, remote, force=force) for item in items]
    return plan


def undo_run(settings: Settings, engine: Engine, *, run_id: int, actor: Identity, force: bool = False,
             client: ProcoreClient | None = None) -> UndoReport:
    """Undo `run_id` as `plan_undo` plans it; audited as one run. Nothing happens for a run undone before."""
    plan = plan_undo(settings, engine, run_id=run_id, actor=actor, force=force, client=client)
    report = UndoReport(plan)
    todo = [item for item in plan.items if item.left_alone is None]
    if plan.undone_by is not None:
        return report
    with session_scope(engine) as session:
        report.undo_run_id = audit.start_run(session, module=plan.module, action=f"{UNDO_PREFIX}{run_id}",
                                             actor=actor.email, start=None, end=None)
    target = definition(plan.module).target
    with _client(settings, engine, client) as procore:
        for item in todo:
            try:
                body, procore_id = _write(procore, target, item)
            except ProcoreConnectError as error:
                report.failed.append((item, str(error)))
                continue
            _record(engine, plan.module, report, item, body, procore_id, actor)
            report.done[item.kind] += 1
    with session_scope(engine) as session:
        audit.finish_run(session, run_id=report.undo_run_id or 0, entries=len(plan.items),
                         succeeded=sum(report.done.values()), failed=len(report.failed),
                         skipped=len(plan.items) - len(todo))
    return report


def _require(actor: Identity, *, force: bool) -> None:
    actor.require(Perm.PUBLISH)
    if force:
        actor.require(Perm.FORCE_PUBLISH)


def _writes(session: Session, run_id: int) -> list[dict[str, Any]]:
    """The run's accepted creates, updates and deletes, oldest first."""
    query = select(_ATTEMPTS).where(
        _ATTEMPTS.c.run_id == run_id,
        _ATTEMPTS.c.action.in_([AttemptAction.CREATE.value, AttemptAction.UPDATE.value, AttemptAction.DELETE.value]),
        _ATTEMPTS.c.status_code >= 200, _ATTEMPTS.c.status_code < 300,
    ).order_by(_ATTEMPTS.c.id)
    return [dict(row._mapping) for row in session.connection().execute(query)]


def _item(session: Session, attempt: dict[str, Any], project_id: int | None) -> UndoItem:
    kind = {AttemptAction.CREATE.value: UndoKind.DELETE, AttemptAction.UPDATE.value: UndoKind.RESTORE,
            AttemptAction.DELETE.value: UndoKind.RECREATE}[attempt["action"]]
    previous = None if kind is UndoKind.DELETE else _previous_body(session, attempt)
    item = UndoItem(kind, attempt["entry_id"], attempt["natural_key"], attempt["job_site_id"], attempt["work_date"],
                    attempt["procore_id"], attempt["request_body"], previous, project_id)
    if project_id is None:
        return _alone(item, "its job site is no longer mapped to a Procore project")
    if kind is not UndoKind.DELETE and previous is None:
        return _alone(item, "no earlier write of ours says what the record held before the run")
    return item


def _previous_body(session: Session, attempt: dict[str, Any]) -> Payload | None:
    """What our last accepted write before `attempt` set on the same entry's record."""
    query = select(_ATTEMPTS.c.request_body).where(
        _ATTEMPTS.c.module == attempt["module"], _ATTEMPTS.c.natural_key == attempt["natural_key"],
        _ATTEMPTS.c.id < attempt["id"], _ATTEMPTS.c.request_body.is_not(None),
        _ATTEMPTS.c.action.in_([AttemptAction.CREATE.value, AttemptAction.UPDATE.value]),
        _ATTEMPTS.c.status_code >= 200, _ATTEMPTS.c.status_code < 300,
    ).order_by(_ATTEMPTS.c.id.desc()).limit(1)
    found: Payload | None = session.connection().execute(query).scalar()
    return found


def _listed(procore: ProcoreClient, target: Target, items: list[UndoItem]) -> dict[int, dict[int, Remote]]:
    """Procore's records now, per project, over the run's dates: one list call per project."""
    days: dict[int, list[date]] = defaultdict(list)
    for item in items:
        if item.left_alone is None and item.project_id is not None:
            days[item.project_id].append(item.work_date)
    return {project: {remote.id: remote for remote in target.list_remote(procore, project, min(dates), max(dates))}
            for project, dates in days.items()}


def _checked(target: Target, item: UndoItem, listed: dict[int, dict[int, Remote]], *, force: bool) -> UndoItem:
    """`item`, or `item` left alone with the reason Procore's record gives."""
    if item.left_alone is not None or item.project_id is None:
        return item
    records = listed.get(item.project_id, {})
    if item.kind is UndoKind.RECREATE:
        back = item.entry_id is not None and any(
            target.is_entry(remote, item.entry_id, item.restore or {}) for remote in records.values()
            if remote.work_date == item.work_date)
        return _alone(item, "Procore has the record again already") if back else item
    remote = records.get(item.procore_id or -1)
    if remote is None:
        return _alone(item, "the record is no longer in Procore")
    if remote.approved:
        return _alone(item, "the record is approved in Procore, which refuses to change it")
    if not force and compared_fields(target, remote.fields) != compared_fields(target, item.written or {}):
        return _alone(item, "the record was changed in Procore after the run (force to undo anyway)")
    return item


def _alone(item: UndoItem, reason: str) -> UndoItem:
    return UndoItem(item.kind, item.entry_id, item.natural_key, item.job_site_id, item.work_date, item.procore_id,
                    item.written, item.restore, item.project_id, reason)


def _write(procore: ProcoreClient, target: Target, item: UndoItem) -> tuple[Payload | None, int | None]:
    """Undo one write in Procore; the fields written and the record's id (None when deleted)."""
    assert item.project_id is not None
    if item.kind is UndoKind.DELETE:
        assert item.procore_id is not None
        target.delete(procore, item.project_id, item.procore_id)
        return None, None
    assert item.restore is not None
    if item.kind is UndoKind.RESTORE:
        assert item.procore_id is not None
        return item.restore, target.update(procore, item.project_id, item.procore_id, item.restore).id
    made = target.create(procore, item.project_id, [Outgoing(item.entry_id or 0, item.work_date, item.restore)])
    return item.restore, made[0].id


def _record(engine: Engine, module: PublishModule, report: UndoReport, item: UndoItem, body: Payload | None,
            procore_id: int | None, actor: Identity) -> None:
    """The entry's new standing (when it still exists) and the undo run's attempt row."""
    token = uuid4().hex
    with session_scope(engine) as session:
        entry_id = item.entry_id
        claimed = entry_id is not None and claim_entries(
            session, entry_ids=[entry_id], token=token, action=PublishAction.FORCE_PUBLISH) == [entry_id]
        resulting: PublishStatus | None = None
        if claimed and entry_id is not None:
            if procore_id is None:
                resulting = record_remote_deleted(session, entry_id=entry_id, token=token)
            elif item.kind is UndoKind.RESTORE and item.project_id is not None:
                resulting = record_published(session, entry_id=entry_id, token=token, procore_id=procore_id,
                                             procore_project_id=item.project_id, sent_values=_UNDONE_VALUES,
                                             sent_payload=body)
            else:
                release_claim(session, token=token)
        audit.record_attempts(session, [{
            "entry_id": entry_id, "module": module.value, "natural_key": item.natural_key,
            "job_site_id": item.job_site_id, "work_date": item.work_date, "run_id": report.undo_run_id,
            "requested_by": actor.email,
            "action": (AttemptAction.DELETE if procore_id is None else
                       AttemptAction.UPDATE if item.kind is UndoKind.RESTORE else AttemptAction.CREATE).value,
            "request_body": body, "procore_id": procore_id or item.procore_id, "status_code": 200,
            "message": f"undo of run {report.plan.run_id}: {item.kind.value}",
            "resulting_status": (resulting or PublishStatus.DELETED).value,
        }])


def _client(settings: Settings, engine: Engine, client: ProcoreClient | None) -> AbstractContextManager[ProcoreClient]:
    """`client` (left open for its owner), or the stored connection's."""
    from core.procore.connection import open_client  # imported here, as the engine does: it imports publishing

    return nullcontext(client) if client is not None else open_client(settings, engine)
