"""One-way list sync: our copy of Procore's lists (per entity, and per project for cost codes) for Data mapping.

A sync fetches every page of one Procore list into `ProcoreRecord` and stamps
`ListSync`. Records that a complete fetch no longer returns are flagged
(`missing_since`): mappings to them are broken until they come back, which
clears the flag. Cost codes are synced per mapped Procore project (scope =
project id); everything else is company-wide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.access import Identity, Perm
from core.config import Settings
from core.db import session_scope, utcnow
from core.models.mapping import COMPANY_WIDE, Entity, ListSync, ProcoreRecord
from core.modules.registry import definition
from core.procore.client import ProcoreClient
from core.procore.connection import open_client
from core.setup import Module
from core.sync.links import links_by_remote
from core.timeclock.dirty import forget_refreshed

Progress = Callable[[str], None]
PROGRESS_EVERY = 100  # records between progress messages


class EntityText(NamedTuple):
    """How the pages and messages name one kind of mapping."""

    tab: str  # the tab: "Projects"
    procore: str  # one Procore record: "project"
    local: str  # one of ours: "job site"
    locals: str  # ours, plural: "job sites"

    @property
    def local_title(self) -> str:
        """`local` starting a sentence: "Job site", "Pay ID"."""
        return self.local[:1].upper() + self.local[1:]


TEXT: dict[Entity, EntityText] = {
    Entity.COMPANY: EntityText("Vendors", "vendor", "company", "companies"),
    Entity.JOB_SITE: EntityText("Projects", "project", "job site", "job sites"),
    Entity.EMPLOYEE: EntityText("Employees", "person", "employee", "employees"),
    Entity.PAY_CLASS: EntityText("Classifications", "classification", "pay class", "pay classes"),
    Entity.COST_CODE: EntityText("Cost codes", "cost code", "cost code", "cost codes"),
    Entity.PAY_ID: EntityText("Payroll types", "payroll type", "pay ID", "pay IDs"),
}
TAB_ORDER = (Entity.COMPANY, Entity.JOB_SITE, Entity.EMPLOYEE, Entity.PAY_CLASS, Entity.COST_CODE, Entity.PAY_ID)
# Syncing projects first lets cost codes follow the projects mapped so far.
SYNC_ORDER = (Entity.JOB_SITE, Entity.COMPANY, Entity.EMPLOYEE, Entity.PAY_CLASS, Entity.PAY_ID, Entity.COST_CODE)


def entities_for(modules: Iterable[Module | str]) -> tuple[Entity, ...]:
    """The entities the enabled modules need mapped (their definitions' entities), in tab order."""
    needed: set[Entity] = set()
    for module in modules:
        needed |= definition(module).entities
    return tuple(e for e in TAB_ORDER if e in needed)


@dataclass
class SyncReport:
    """What one list's sync did (one scope: the company, or one project for cost codes)."""

    entity: Entity
    scope_id: int = COMPANY_WIDE
    fetched: int = 0
    added: int = 0
    updated: int = 0
    flagged: int = 0  # newly missing from Procore
    restored: int = 0  # back in Procore after being missing
    note: str | None = None
    scope_label: str | None = None  # the project, for cost codes

    def summary(self) -> str:
        text = TEXT[self.entity]
        where = f" of project {self.scope_label or self.scope_id}" if self.scope_id != COMPANY_WIDE else ""
        if self.note:
            return f"{text.tab}{where}: {self.note}"
        return (f"{text.tab}{where}: {self.fetched} in Procore ({self.added} new, {self.updated} changed, "
                f"{self.flagged} no longer in Procore, {self.restored} back)")


class _Fetched(NamedTuple):
    procore_id: int
    number: str | None
    name: str
    data: dict[str, Any]


def sync_from_procore(
    settings: Settings, engine: Engine, *, company_id: int, entities: Iterable[Entity], actor: Identity,
    progress: Progress | None = None,
) -> list[SyncReport]:
    """Open the stored connection and sync `entities` (in SYNC_ORDER); each list is committed on its own.

    Raises:
        PermissionDenied: `actor` lacks Procore Connect data mapping.
        ConfigurationError, ProcoreAPIError: Procore is not connected or refused; lists synced so far are kept.
    """
    actor.require(Perm.DATA_MAPPING)
    with open_client(settings, engine, company_id=company_id) as client:
        return _sync_lists(engine, client, company_id, entities, progress)


def _sync_lists(
    engine: Engine, client: ProcoreClient, company_id: int, entities: Iterable[Entity], progress: Progress | None,
) -> list[SyncReport]:
    """Sync `entities` with `client`, projects first; cost codes once per mapped project."""
    wanted = set(entities)
    reports: list[SyncReport] = []
    for entity in (e for e in SYNC_ORDER if e in wanted):
        scopes = _scopes(engine, entity, company_id)
        if not scopes:
            reports.append(SyncReport(entity, note="no mapped project yet: map projects first"))
        for scope_id in scopes:
            with session_scope(engine) as session:
                report = _sync_list(session, client=client, company_id=company_id, entity=entity, scope_id=scope_id,
                                   progress=progress)
                report.scope_label = _project_label(session, company_id, scope_id)
            reports.append(report)
            if progress is not None:
                progress(report.summary())
    return reports


def _scopes(engine: Engine, entity: Entity, company_id: int) -> list[int]:
    if entity is not Entity.COST_CODE:
        return [COMPANY_WIDE]
    with session_scope(engine) as session:
        return sorted(live_mapped_projects(session, company_id=company_id))


def _project_label(session: Session, company_id: int, scope_id: int) -> str | None:
    if scope_id == COMPANY_WIDE:
        return None
    project = session.exec(select(ProcoreRecord).where(
        ProcoreRecord.procore_company_id == company_id, ProcoreRecord.entity == Entity.JOB_SITE,
        ProcoreRecord.procore_id == scope_id)).first()
    return record_label(project) if project is not None else None


def live_mapped_projects(session: Session, *, company_id: int) -> set[int]:
    """Procore ids of mapped projects that were not flagged as gone from Procore."""
    mapped = set(links_by_remote(session, entity=Entity.JOB_SITE, company_id=company_id))
    gone = set(session.exec(select(ProcoreRecord.procore_id).where(
        ProcoreRecord.procore_company_id == company_id, ProcoreRecord.entity == Entity.JOB_SITE,
        ProcoreRecord.missing_since.is_not(None),  # type: ignore[union-attr]
    )))
    return mapped - gone


def _sync_list(
    session: Session, *, client: ProcoreClient, company_id: int, entity: Entity, scope_id: int = COMPANY_WIDE,
    progress: Progress | None = None,
) -> SyncReport:
    """Fetch one Procore list (every page) into `ProcoreRecord`, flag what disappeared, un-flag what came back.

    Nothing is flagged unless the whole list was read: an error part-way raises before any flag is set.
    """
    report = SyncReport(entity, scope_id)
    stored = {r.procore_id: r for r in records(session, company_id=company_id, entity=entity, scope_ids=[scope_id])}
    now = utcnow()
    seen: set[int] = set()
    for item in _fetch(session, client, company_id, entity, scope_id):
        seen.add(item.procore_id)
        _store(session, stored.get(item.procore_id), item, company_id, entity, scope_id, now, report)
        report.fetched += 1
        if progress is not None and report.fetched % PROGRESS_EVERY == 0:
            progress(f"{TEXT[entity].tab}: {report.fetched} read so far…")
    for record in stored.values():
        if record.procore_id not in seen and record.missing_since is None:
            record.missing_since = now
            session.add(record)
            report.flagged += 1
    _stamp(session, company_id, entity, scope_id, report.fetched, now)
    session.flush()
    forget_refreshed(session)  # a record gone from Procore (or back) changes mapping reasons
    return report


def _store(session: Session, record: ProcoreRecord | None, item: _Fetched, company_id: int, entity: Entity,
           scope_id: int, now: Any, report: SyncReport) -> None:
    if record is None:
        record = ProcoreRecord(procore_company_id=company_id, entity=entity, scope_id=scope_id,
                               procore_id=item.procore_id, number=item.number, name=item.name, data=item.data)
        report.added += 1
    elif (record.number, record.name, record.data) != (item.number, item.name, item.data):
        record.number, record.name, record.data = item.number, item.name, item.data
        report.updated += 1
    if record.missing_since is not None:
        record.missing_since = None
        report.restored += 1
    record.synced_at = now
    session.add(record)


def _stamp(session: Session, company_id: int, entity: Entity, scope_id: int, count: int, now: Any) -> None:
    row = session.exec(select(ListSync).where(
        ListSync.procore_company_id == company_id, ListSync.entity == entity, ListSync.scope_id == scope_id,
    )).first() or ListSync(procore_company_id=company_id, entity=entity, scope_id=scope_id)
    row.synced_at, row.count = now, count
    session.add(row)


def records(
    session: Session, *, company_id: int, entity: Entity, scope_ids: Iterable[int] | None = None,
    include_missing: bool = True,
) -> list[ProcoreRecord]:
    """Our copy of a Procore list, by number then name (one scope set, or every scope when None)."""
    query = select(ProcoreRecord).where(ProcoreRecord.procore_company_id == company_id, ProcoreRecord.entity == entity)
    if scope_ids is not None:
        query = query.where(ProcoreRecord.scope_id.in_(list(scope_ids)))  # type: ignore[attr-defined]
    if not include_missing:
        query = query.where(ProcoreRecord.missing_since.is_(None))  # type: ignore[union-attr]
    order = (col(ProcoreRecord.number), col(ProcoreRecord.name), col(ProcoreRecord.procore_id))
    return list(session.exec(query.order_by(*order)))


def last_synced(session: Session, *, company_id: int, entity: Entity, scope_id: int | None = None) -> ListSync | None:
    """The latest sync of `entity` (in `scope_id`, or in any scope when None)."""
    query = select(ListSync).where(ListSync.procore_company_id == company_id, ListSync.entity == entity)
    if scope_id is not None:
        query = query.where(ListSync.scope_id == scope_id)
    return session.exec(query.order_by(ListSync.synced_at.desc())).first()  # type: ignore[attr-defined]


def record_label(record: ProcoreRecord) -> str:
    """How a person recognises a Procore record: "number · name" (vendors: name and abbreviation)."""
    abbreviation = (record.data or {}).get("abbreviated_name")
    if record.entity == Entity.COMPANY and abbreviation:
        return f"{record.name} ({abbreviation})"
    return f"{record.number} · {record.name}" if record.number else record.name


# -- fetching each list ----------------------------------------------------------------------------


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _fetch(
    session: Session, client: ProcoreClient, company_id: int, entity: Entity, scope_id: int
) -> Iterator[_Fetched]:
    if entity is Entity.COMPANY:
        for v in client.iter_vendors(company_id=company_id):
            yield _Fetched(v.id, None, _text(v.name) or f"Vendor {v.id}",
                           {"abbreviated_name": _text(v.abbreviated_name), "is_active": v.is_active})
    elif entity is Entity.JOB_SITE:
        for p in client.iter_projects(company_id=company_id):
            yield _Fetched(p.id, _text(p.project_number), _text(p.name) or _text(p.display_name) or f"Project {p.id}",
                           {"display_name": p.display_name, "active": p.active})
    elif entity is Entity.EMPLOYEE:
        for person in client.iter_people(company_id=company_id, employees_only=True):
            if person.is_employee:
                yield _Fetched(person.id, _text(person.employee_id), _text(person.full_name) or f"Person {person.id}",
                               {"user_id": person.user_id})
    elif entity is Entity.PAY_CLASS:
        for w in client.iter_work_classifications(company_id=company_id):
            yield _Fetched(w.id, _text(w.abbreviation), _text(w.name) or f"Classification {w.id}",
                           {"project_ids": sorted(w.project_ids)})
    elif entity is Entity.COST_CODE:
        for c in client.iter_cost_codes(project_id=scope_id, company_id=company_id):
            if c.deleted_at is None:
                number = _text(c.full_code) or _text(c.code)
                yield _Fetched(c.id, number, _text(c.name) or number or f"Cost code {c.id}",
                               {"code": c.code, "standard_cost_code_id": c.standard_cost_code_id})
    elif entity is Entity.PAY_ID:
        yield from _time_types(session, client, company_id)
    else:
        raise ValueError(f"{entity} lists are not synced for Data mapping")


def _time_types(session: Session, client: ProcoreClient, company_id: int) -> Iterator[_Fetched]:
    """The company's time types; their abbreviations come from a project's list (the company list lacks them)."""
    abbreviations: dict[int, str] = {}
    project_id = _any_project(session, client, company_id)
    if project_id is not None:
        for t in client.iter_project_time_types(project_id=project_id, company_id=company_id):
            if _text(t.abbreviated_time_type):
                abbreviations[t.id] = str(_text(t.abbreviated_time_type))
    for t in client.iter_company_time_types(company_id=company_id):
        number = abbreviations.get(t.id) or _text(t.abbreviated_time_type)
        yield _Fetched(t.id, number, _text(t.time_type) or number or f"Time type {t.id}", {"global": t.global_})


def _any_project(session: Session, client: ProcoreClient, company_id: int) -> int | None:
    mapped = live_mapped_projects(session, company_id=company_id)
    if mapped:
        return min(mapped)
    synced = records(session, company_id=company_id, entity=Entity.JOB_SITE, include_missing=False)
    if synced:
        return synced[0].procore_id
    first = next(iter(client.iter_projects(company_id=company_id)), None)
    return first.id if first is not None else None
