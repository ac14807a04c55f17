"""From one of our records to its Procore id, or to the reason it has none, in words a person can act on.

One-way mode reads the mappings made on Data mapping (and flags those whose
Procore record disappeared); two-way mode reads the links the import made, and
pay IDs use the payroll item chosen on the Payroll items page. The batch form
makes one query per entity however many entries it is given; publishing calls
`mapping_reasons` with the key ids of its entries.

    resolve(session, company_id=c, entity=Entity.JOB_SITE, local_id=7)
    # Resolution(procore_id=None,
    #            reason="Job site 1007 Bayfront Hotel is not mapped to a Procore project (Data mapping > Projects)")
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, literal, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from core.models import Company, CostCode, Employee, JobSite, PayClass, PayID
from core.models.mapping import COMPANY_WIDE, Entity, PayrollItem, ProcoreLink, ProcoreRecord
from core.models.publishing import PublishModule
from core.models.setup import ProcoreSetup, SyncMode
from core.modules.entities import KEY_COLUMNS, PROJECT_SCOPED
from core.modules.registry import definition
from core.setup import Module
from core.sync import reason_rows
from core.sync.lists import TEXT, record_label

Key = tuple[int, int | None]  # (our id, Procore project id or None)
# Up to this many ids are named in the query; more are read with the whole table and picked here: a million
# entries name thousands of employees, and binding each id cost more than reading the rows not asked for.
_LISTED_IDS = 1000
_LOCAL: dict[Entity, tuple[Any, Any, Any]] = {  # model, its number, its name
    Entity.JOB_SITE: (JobSite, JobSite.number, JobSite.name),
    Entity.COMPANY: (Company, Company.number, Company.name),
    Entity.EMPLOYEE: (Employee, Employee.number, Employee.first_name + literal(" ") + Employee.last_name),
    Entity.COST_CODE: (CostCode, CostCode.code, CostCode.name),
    Entity.PAY_CLASS: (PayClass, PayClass.number, PayClass.name),
    Entity.PAY_ID: (PayID, PayID.code, PayID.name),
}


@dataclass(frozen=True)
class Resolution:
    """A Procore id, or the reason there is none (never both)."""

    procore_id: int | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.procore_id is not None


@dataclass(frozen=True)
class _Row:
    number: str
    name: str
    links: dict[int, tuple[int, Any, Any]]  # scope → (Procore id, record gone since, record) ; record may be None
    item_active: bool | None  # two-way pay IDs: is the payroll item still active


def resolve(
    session: Session, *, company_id: int, entity: Entity, local_id: int, project_id: int | None = None,
) -> Resolution:
    """The Procore id of one of our records (cost codes: within Procore project `project_id`), or why not.

    `project_id` is required for cost codes; for pay classes it also checks that the
    classification may be used on that project.
    """
    key: Key = (local_id, project_id)
    return resolve_batch(session, company_id=company_id, wanted={entity: [key]})[entity][key]


def resolve_batch(
    session: Session, *, company_id: int, wanted: Mapping[Entity, Collection[Key]],
    project_labels: Mapping[int, str] | None = None,
) -> dict[Entity, dict[Key, Resolution]]:
    """`resolve` for many records at once: one query per entity (plus one for the mode), never one per row.

    Args:
        wanted: entity → (our id, Procore project id or None) pairs.
        project_labels: Procore project id → how to name it in reasons ("1002 Harbor Point Apartments");
            projects not given are named from the synced Procore list.
    """
    batch = _Batch(session, company_id, project_labels)
    return {entity: batch.resolve(entity, keys) for entity, keys in wanted.items()}


def mapping_reasons(session: Session, *, company_id: int, module: Module | PublishModule | str,
                    keys: pd.DataFrame) -> pd.Series:
    """Every mapping reason per entry: a list per row of `keys` (empty when the entry can be published).

    `keys` holds key columns (job_site_id, company_id, employee_id, cost_code_id, pay_id_id,
    pay_class_id; missing ones or NA values are not checked). Only the entities `module`'s
    definition needs are checked: manpower job site and company; timecard and timesheet job site,
    employee, cost code, pay ID and pay class; quantity job site and cost code. Cost codes and pay
    classes are checked within the project their job site maps to.
    """
    needed = definition(str(module)).entities
    columns = {c: e for c, e in KEY_COLUMNS.items() if e in needed and c in keys.columns}
    ids = {c: reason_rows.id_column(keys, c) for c in columns}
    sites = ids.get("job_site_id", np.full(len(keys), reason_rows.NONE, dtype=np.int64))
    batch = _Batch(session, company_id, None)
    site_results = batch.resolve(Entity.JOB_SITE, {(int(s), None) for s in np.unique(sites) if s != reason_rows.NONE})
    batch.name_projects(site_results)
    project_of = pd.Series({local_id: r.procore_id for (local_id, _), r in site_results.items()}, dtype="Int64")
    site_projects = pd.Series(sites).map(project_of).astype("Int64").fillna(reason_rows.NONE).to_numpy(np.int64)
    key_columns = []
    for c, e in columns.items():
        projects = site_projects if e in PROJECT_SCOPED else np.full(len(keys), reason_rows.NONE, dtype=np.int64)
        found = site_results if e is Entity.JOB_SITE else batch.resolve(
            e, _resolvable(e, reason_rows.distinct_keys(ids[c], projects)))
        reasons = {key: result.reason for key, result in found.items() if result.reason}
        key_columns.append(reason_rows.KeyColumn(ids[c], projects, reasons))
    return pd.Series(reason_rows.row_reason_array(key_columns, len(keys)), index=keys.index, dtype=object)


def _resolvable(entity: Entity, keys: Collection[Key | None]) -> set[Key]:
    """Keys worth resolving: a cost code is judged only once its job site maps to a project."""
    return {k for k in keys if k is not None and (entity is not Entity.COST_CODE or k[1] is not None)}



class _Batch:
    """Resolutions sharing one mode lookup and the names of projects."""

    def __init__(self, session: Session, company_id: int, project_labels: Mapping[int, str] | None) -> None:
        self.session = session
        self.company_id = company_id
        self.project_labels: dict[int, str] = dict(project_labels or {})
        mode = session.execute(select(col(ProcoreSetup.mode))).scalar()
        self.two_way = mode == SyncMode.TWO_WAY
        self.rows: dict[Entity, dict[int, _Row]] = {}

    def name_projects(self, sites: dict[Key, Resolution]) -> None:
        """Name each mapped project after its job site ("1002 Harbor Point Apartments") in later reasons."""
        for (local_id, _), result in sites.items():
            if result.procore_id is not None:
                row = self.rows[Entity.JOB_SITE][local_id]
                self.project_labels[result.procore_id] = f"{row.number} {row.name}"

    def resolve(self, entity: Entity, keys: Collection[Key]) -> dict[Key, Resolution]:
        if not keys:
            return {}
        ids = {k[0] for k in keys}
        scopes = {k[1] for k in keys if k[1] is not None} if entity is Entity.COST_CODE else {COMPANY_WIDE}
        self.rows[entity] = self._load(entity, ids, scopes)
        if any(k[1] is not None and k[1] not in self.project_labels for k in keys) and entity in PROJECT_SCOPED:
            self._load_project_labels({k[1] for k in keys if k[1] is not None})
        return {key: self._one(entity, key) for key in keys}

    def _load(self, entity: Entity, ids: set[int], scopes: set[int]) -> dict[int, _Row]:
        model, number, name = _LOCAL[entity]
        link = aliased(ProcoreLink)
        record = aliased(ProcoreRecord)
        columns: list[Any] = [model.id, number, name, link.scope_id, link.procore_id, record.missing_since,
                              record.number, record.name, record.data, record.entity]
        query = select(*columns).select_from(model).outerjoin(link, and_(
            col(link.entity) == entity, col(link.local_id) == model.id,
            col(link.procore_company_id) == self.company_id, col(link.scope_id).in_(scopes),
        )).outerjoin(record, and_(
            col(record.procore_company_id) == self.company_id, col(record.entity) == entity,
            col(record.scope_id) == link.scope_id, col(record.procore_id) == link.procore_id,
        ))
        if entity is Entity.PAY_ID:
            query = query.add_columns(col(PayrollItem.active)).outerjoin(
                PayrollItem, col(PayrollItem.procore_id) == link.procore_id)
        rows: dict[int, _Row] = {}
        if len(ids) <= _LISTED_IDS:
            query = query.where(model.id.in_(ids))
        for found in self.session.execute(query):
            if found[0] not in ids:
                continue
            row = rows.setdefault(found[0], _Row(found[1], found[2], {}, found[10] if len(found) > 10 else None))
            if found[4] is not None:
                stored = ProcoreRecord(procore_company_id=self.company_id, entity=entity, scope_id=found[3],
                                       procore_id=found[4], number=found[6], name=found[7] or "",
                                       data=found[8] or {}) if found[9] is not None else None
                row.links[int(found[3])] = (int(found[4]), found[5], stored)
        return rows

    def _load_project_labels(self, project_ids: set[int]) -> None:
        query = select(col(ProcoreRecord.procore_id), col(ProcoreRecord.number), col(ProcoreRecord.name)).where(
            col(ProcoreRecord.procore_company_id) == self.company_id, col(ProcoreRecord.entity) == Entity.JOB_SITE,
            col(ProcoreRecord.procore_id).in_(project_ids))
        for procore_id, number, name in self.session.execute(query):
            self.project_labels.setdefault(procore_id, f"{number} {name}" if number else name)

    def _project(self, project_id: int) -> str:
        return f"project {self.project_labels.get(project_id, project_id)}"

    def _one(self, entity: Entity, key: Key) -> Resolution:
        local_id, project_id = key
        text = TEXT[entity]
        row = self.rows[entity].get(local_id)
        if row is None:
            return Resolution(None, f"{text.local_title} with id {local_id} does not exist in the time clock "
                                    "(it was deleted); correct the time logs that use it.")
        who = f"{text.local_title} {row.number} {row.name}"
        if entity is Entity.COST_CODE and project_id is None:
            return Resolution(None, f"{who} cannot be mapped before its job site is mapped to a Procore project "
                                    f"({self._where(Entity.JOB_SITE)}).")
        scope = project_id if entity is Entity.COST_CODE else COMPANY_WIDE
        found = row.links.get(scope)  # type: ignore[arg-type]
        if found is None:
            return Resolution(None, self._unmapped(entity, who, project_id))
        procore_id, gone_since, record = found
        if gone_since is not None or (entity is Entity.PAY_ID and self.two_way and row.item_active is False):
            return Resolution(None, self._broken(entity, who))
        if entity is Entity.PAY_CLASS and project_id is not None and record is not None:
            projects = record.data.get("project_ids") or []
            if projects and project_id not in projects:
                return Resolution(None, f"{who}'s Procore classification {record_label(record)} cannot be used on "
                                        f"{self._project(project_id)}; allow it on that project in Procore, or map "
                                        f"another one ({self._where(entity)}).")
        return Resolution(procore_id, None)

    def _where(self, entity: Entity) -> str:
        if not self.two_way:
            return f"Data mapping > {TEXT[entity].tab}"
        if entity is Entity.PAY_ID:
            return "Administration > Payroll items"
        return "two-way mode: create it in Procore and run the import on Administration > Procore setup"

    def _unmapped(self, entity: Entity, who: str, project_id: int | None) -> str:
        text = TEXT[entity]
        if entity is Entity.COST_CODE:
            return f"{who} is not mapped for {self._project(project_id or 0)} ({self._where(entity)})"
        if self.two_way and entity is Entity.PAY_ID:
            return f"{who} is not published as any payroll item ({self._where(entity)})"
        verb = "linked" if self.two_way else "mapped"
        return f"{who} is not {verb} to a Procore {text.procore} ({self._where(entity)})"

    def _broken(self, entity: Entity, who: str) -> str:
        text = TEXT[entity]
        if self.two_way and entity is Entity.PAY_ID:
            return f"{who}'s payroll item is no longer active in Procore (choose another on {self._where(entity)})"
        return f"{who}'s Procore {text.procore} no longer exists in Procore (mapping broken: map it again on " \
               f"{self._where(entity)})"
