"""The entries a publish plans for, as stored, and the fields each would send to Procore.

Loading reads the entries' columns at once; preparing maps their keys to Procore ids (one query per
entity) and builds each payload through the module's target, or says why an entry cannot be sent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from core.models import CostCode, Crew
from core.models.mapping import Entity
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.modules.entities import KEY_COLUMNS, PROJECT_SCOPED
from core.modules.registry import definition
from core.modules.targets import EntryIds, Names, Payload, Target
from core.sync.resolver import Key, Resolution, resolve_batch

_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_CREWS: Table = Crew.__table__  # type: ignore[attr-defined]
_COST_CODES: Table = CostCode.__table__  # type: ignore[attr-defined]
_ENTRY_COLUMNS = [
    "id", "natural_key", "job_site_id", "work_date", "company_id", "crew_id", "employee_id", "pay_id_id",
    "cost_code_id", "values", "status", "release_status", "procore_id", "procore_project_id", "remote_updated_at",
    "published_payload",
]


@dataclass
class PlannedEntry:
    """One stored entry as planning reads it (`status` is the one before any claim)."""

    id: int
    natural_key: str
    job_site_id: int
    work_date: dt.date
    keys: dict[str, Any]
    values: dict[str, Any]
    status: PublishStatus
    procore_id: int | None
    procore_project_id: int | None
    remote_updated_at: dt.datetime | None
    published_payload: Payload | None


def load_entries(session: Session, entry_ids: Collection[int]) -> list[PlannedEntry]:
    """The entries `entry_ids`, in id order; the status is the one a claim would release to."""
    if not entry_ids:
        return []
    query = select(*(_TABLE.c[name] for name in _ENTRY_COLUMNS)).where(_TABLE.c.id.in_(list(entry_ids)))
    entries = []
    for row in session.connection().execute(query.order_by(_TABLE.c.id)):
        data = dict(zip(_ENTRY_COLUMNS, row, strict=True))
        status = data["release_status"] if data["status"] == PublishStatus.PUBLISHING and data["release_status"] \
            else data["status"]
        entries.append(PlannedEntry(
            id=data["id"], natural_key=data["natural_key"], job_site_id=data["job_site_id"],
            work_date=data["work_date"],
            keys={name: data[name] for name in ("company_id", "crew_id", "employee_id", "pay_id_id", "cost_code_id")},
            values=dict(data["values"] or {}), status=PublishStatus(status), procore_id=data["procore_id"],
            procore_project_id=data["procore_project_id"], remote_updated_at=data["remote_updated_at"],
            published_payload=data["published_payload"],
        ))
    return entries


@dataclass
class Prepared:
    """Entries with the fields they would send, or why they cannot be sent."""

    payloads: dict[int, tuple[int, Payload]] = field(default_factory=dict)  # entry id → (project id, payload)
    failures: dict[int, str] = field(default_factory=dict)


def prepare(session: Session, *, company_id: int, target: Target, entries: Sequence[PlannedEntry]) -> Prepared:
    """Map each entry's keys to Procore ids (one query per entity) and build the fields it sends."""
    prepared = Prepared()
    sites = {(entry.job_site_id, None) for entry in entries}
    found = resolve_batch(session, company_id=company_id, wanted={Entity.JOB_SITE: sites})[Entity.JOB_SITE]
    project_of = {site: result.procore_id for (site, _), result in found.items()}
    wanted: dict[Entity, set[Key]] = defaultdict(set)
    for entry in entries:
        project = project_of.get(entry.job_site_id)
        for entity, local_id in _local_ids(target, entry).items():
            if local_id is not None:
                wanted[entity].add((local_id, project if entity in PROJECT_SCOPED else None))
    resolved = resolve_batch(session, company_id=company_id, wanted=wanted)
    names = _names(session, entries)
    for entry in entries:
        project = project_of.get(entry.job_site_id)
        reasons = [] if project is not None else [found[(entry.job_site_id, None)].reason or "job site not mapped"]
        ids: dict[Entity, int | None] = {}
        for entity, local_id in _local_ids(target, entry).items():
            if local_id is None or project is None:
                continue
            result: Resolution = resolved[entity][(local_id, project if entity in PROJECT_SCOPED else None)]
            ids[entity] = result.procore_id
            if result.reason:
                reasons.append(result.reason)
        if reasons:
            prepared.failures[entry.id] = "; ".join(reasons)
            continue
        assert project is not None
        entry_ids = EntryIds(
            project_id=project, vendor_id=ids.get(Entity.COMPANY), party_id=ids.get(Entity.EMPLOYEE),
            time_type_id=ids.get(Entity.PAY_ID), cost_code_id=ids.get(Entity.COST_CODE),
            classification_id=ids.get(Entity.PAY_CLASS),
        )
        payload = target.payload(entry.id, entry.work_date, entry.keys, entry.values, entry_ids, names)
        prepared.payloads[entry.id] = (project, payload)
    return prepared


def _local_ids(target: Target, entry: PlannedEntry) -> dict[Entity, int | None]:
    """Our ids of what the entry's module needs mapped besides its job site (pay classes come with the values)."""
    needed = definition(target.module).entities - {Entity.JOB_SITE}
    return {entity: entry.keys[column] if column in entry.keys else entry.values.get(column)
            for column, entity in KEY_COLUMNS.items() if entity in needed}


def _names(session: Session, entries: Sequence[PlannedEntry]) -> Names:
    crew_ids = {entry.keys["crew_id"] for entry in entries if entry.keys.get("crew_id") is not None}
    code_ids = {entry.keys["cost_code_id"] for entry in entries if entry.keys.get("cost_code_id") is not None}
    run = session.connection().execute
    crews_table, codes_table = _CREWS.c, _COST_CODES.c
    crews = {int(crew_id): str(name) for crew_id, name in run(
        select(crews_table.id, crews_table.name).where(crews_table.id.in_(crew_ids)))} if crew_ids else {}
    codes = {int(code_id): f"{code} {name}" for code_id, code, name in run(
        select(codes_table.id, codes_table.code, codes_table.name).where(codes_table.id.in_(code_ids))
    )} if code_ids else {}
    return Names(crews=crews, cost_codes=codes)


def owned_records(session: Session, *, module: PublishModule, project_ids: Collection[int]) -> set[int]:
    """Procore ids already held by entries of `module` in `project_ids` (never adopted by another entry)."""
    if not project_ids:
        return set()
    query = select(_TABLE.c.procore_id).where(
        _TABLE.c.module == module.value, _TABLE.c.procore_project_id.in_(list(project_ids)),
        _TABLE.c.procore_id.is_not(None),
    )
    return {int(value) for value in session.connection().execute(query).scalars()}
