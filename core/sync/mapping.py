"""Data mapping (one-way): our records beside the Procore records they map to, and hand-made changes.

Rules (also stated on the page, from `RULES`): projects, vendors, people and
classifications map one to one; cost codes map one to one within each Procore
project; several pay IDs may share one payroll type. Cost codes and
classifications belong to Procore projects, so they are offered only once a
project is mapped. Auto-map by number lives in `core.sync.auto_mapping`, saving by hand in `core.sync.mapping_changes`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import pandas as pd
from sqlmodel import Session, col, select

from core.errors import ValidationError
from core.models import Company, CostCode, Employee, JobSite, PayClass, PayID
from core.models.mapping import COMPANY_WIDE, Entity, LinkOrigin, ProcoreLink, ProcoreRecord
from core.modules.entities import PROJECT_SCOPED
from core.setup import Module
from core.sync.links import links_by_local
from core.sync.lists import TEXT, entities_for, last_synced, live_mapped_projects, record_label, records

NUMBERED = frozenset({Entity.JOB_SITE, Entity.EMPLOYEE, Entity.PAY_CLASS, Entity.COST_CODE, Entity.PAY_ID})
RULES: dict[Entity, str] = {
    Entity.COMPANY: "One Procore vendor maps to at most one company, and each company to one vendor. "
    "Procore vendors have no number, so auto-map cannot match them: map them by hand.",
    Entity.JOB_SITE: "One Procore project maps to at most one job site, and each job site to one project.",
    Entity.EMPLOYEE: "One Procore person per employee, and each Procore person to at most one employee.",
    Entity.PAY_CLASS: "One Procore classification per pay class, and each classification to at most one pay class. "
    "Classifications are company-wide in Procore; the list offers those usable on your mapped projects.",
    Entity.COST_CODE: "Cost codes are mapped per Procore project: within a project, one Procore cost code per "
    "cost code, and each Procore cost code to at most one of ours.",
    Entity.PAY_ID: "Several pay IDs may go to the same Procore payroll type (say REG and TRV both as Regular Time); "
    "each pay ID goes to one payroll type.",
}
NO_PROJECT = ("{tab} belong to Procore projects: map at least one project on the Projects tab to see "
              "{tab_lower} for the mapped projects.")
GONE = " (no longer in Procore)"
COLUMNS = ["number", "name", "procore", "status"]


class Local(NamedTuple):
    """One of our records as the grid shows it."""

    id: int
    number: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}"


def normalized(number: str | None) -> str:
    """The form auto-map compares: no spaces, upper case ("03 - 300" and "03-300" are equal)."""
    return "".join((number or "").split()).upper()


def local_records(session: Session, *, entity: Entity, job_site_id: int | None = None) -> list[Local]:
    """Our records of `entity` by number; for cost codes, the standard codes and those of `job_site_id`."""
    if entity is Entity.COST_CODE:
        query = select(CostCode).where((col(CostCode.job_site_id).is_(None)) | (CostCode.job_site_id == job_site_id))
        return [Local(c.id, c.code, c.name) for c in session.exec(query.order_by(CostCode.code))]  # type: ignore[arg-type]
    if entity is Entity.EMPLOYEE:
        return [Local(e.id, e.number, e.full_name)  # type: ignore[arg-type]
                for e in session.exec(select(Employee).order_by(Employee.number))]
    if entity is Entity.PAY_ID:
        return [Local(p.id, p.code, p.name) for p in session.exec(select(PayID).order_by(PayID.code))]  # type: ignore[arg-type]
    model: Any = {Entity.COMPANY: Company, Entity.JOB_SITE: JobSite, Entity.PAY_CLASS: PayClass}[entity]
    return [Local(r.id, r.number, r.name) for r in session.exec(select(model).order_by(model.number))]


class MappedProject(NamedTuple):
    procore_id: int
    job_site_id: int
    label: str


def mapped_projects(session: Session, *, company_id: int) -> list[MappedProject]:
    """Mapped Procore projects still in Procore, with their job sites, by project label."""
    live = live_mapped_projects(session, company_id=company_id)
    links = links_by_local(session, entity=Entity.JOB_SITE, company_id=company_id)
    labels = {r.procore_id: record_label(r) for r in records(session, company_id=company_id, entity=Entity.JOB_SITE)}
    projects = [MappedProject(ln.procore_id, site, labels.get(ln.procore_id, f"Procore project {ln.procore_id}"))
                for site, ln in links.items() if ln.procore_id in live]
    return sorted(projects, key=lambda p: p.label)


# -- the grid ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappingTable:
    """One tab's grid: our records (index = our id) and the Procore records they may map to."""

    entity: Entity
    project_id: int | None
    frame: pd.DataFrame  # number, name, procore (a label of `options` or None), status
    options: dict[str, int]  # label → Procore id, in display order

    def changes(self, edited: pd.DataFrame) -> dict[int, int | None]:
        """Our id → new Procore id (None: unmap) for each row the person changed in `edited`."""
        result: dict[int, int | None] = {}
        for local_id, chosen in zip(edited.index.astype(int), edited["procore"], strict=True):
            before, after = _label(self.frame.at[local_id, "procore"]), _label(chosen)
            if after == before:
                continue
            if after is not None and after not in self.options:
                noun = TEXT[self.entity].procore
                raise ValidationError(f"'{after}' is not a synced Procore {noun}; sync and choose again.")
            result[int(local_id)] = self.options[after] if after is not None else None
        return result


def _label(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) or value == "" else str(value)


def mapping_table(
    session: Session, *, company_id: int, entity: Entity, project_id: int | None = None, unmapped_only: bool = False,
) -> MappingTable:
    """The grid of one tab (for cost codes, of one mapped project `project_id`)."""
    scope, job_site_id = scope_of(session, company_id, entity, project_id)
    offered = candidates(session, company_id, entity, scope)
    links = links_by_local(session, entity=entity, company_id=company_id, scope_id=scope)
    every = {r.procore_id: r for r in records(session, company_id=company_id, entity=entity, scope_ids=[scope])}
    shown = [*offered, *(every[ln.procore_id] for ln in links.values()
                         if ln.procore_id in every and every[ln.procore_id] not in offered)]
    labels = _unique_labels(shown)
    options = {labels[r.procore_id]: r.procore_id for r in shown}
    rows = []
    for local in local_records(session, entity=entity, job_site_id=job_site_id):
        current = links.get(local.id)
        label, status = _cell(entity, current, every, labels)
        rows.append({"id": local.id, "number": local.number, "name": local.name, "procore": label, "status": status})
    for ln in links.values():  # mapped to a Procore id we never synced: still show it
        if ln.procore_id not in every:
            options[_cell(entity, ln, every, labels)[0] or ""] = ln.procore_id
    frame = pd.DataFrame(rows, columns=["id", *COLUMNS]).set_index("id")
    if unmapped_only:
        frame = frame[~frame["status"].str.startswith("Mapped")]
    return MappingTable(entity=entity, project_id=project_id, frame=frame, options=options)


def _cell(entity: Entity, current: ProcoreLink | None, every: dict[int, ProcoreRecord],
          labels: dict[int, str]) -> tuple[str | None, str]:
    if current is None:
        return None, "Not mapped"
    record = every.get(current.procore_id)
    if record is None:
        return f"Procore {TEXT[entity].procore} {current.procore_id} (not synced)", _mapped(current)
    if record.missing_since is not None:
        return labels[record.procore_id], f"Broken: the Procore {TEXT[entity].procore} is no longer in Procore"
    return labels[record.procore_id], _mapped(current)


def _mapped(current: ProcoreLink) -> str:
    how = {LinkOrigin.AUTO: "auto-map", LinkOrigin.MANUAL: "by hand", LinkOrigin.IMPORT: "import"}
    return f"Mapped ({how.get(LinkOrigin(current.origin), current.origin)})"


def _unique_labels(shown: Iterable[ProcoreRecord]) -> dict[int, str]:
    labels = {r.procore_id: record_label(r) + (GONE if r.missing_since else "") for r in shown}
    counts: dict[str, int] = defaultdict(int)
    for text in labels.values():
        counts[text] += 1
    return {pid: f"{text} [id {pid}]" if counts[text] > 1 else text for pid, text in labels.items()}


def scope_of(session: Session, company_id: int, entity: Entity, project_id: int | None) -> tuple[int, int | None]:
    """(scope id of the links, job site whose cost codes are shown); checks cost codes name a mapped project."""
    if entity is not Entity.COST_CODE:
        return COMPANY_WIDE, None
    project = next((p for p in mapped_projects(session, company_id=company_id) if p.procore_id == project_id), None)
    if project is None:
        raise ValidationError(f"Procore project {project_id} is not mapped to a job site; "
                              "map it on the Projects tab first.")
    return project.procore_id, project.job_site_id


def candidates(session: Session, company_id: int, entity: Entity, scope: int) -> list[ProcoreRecord]:
    """Procore records a person may choose (still in Procore; classifications usable on a mapped project)."""
    found = records(session, company_id=company_id, entity=entity, scope_ids=[scope], include_missing=False)
    if entity is not Entity.PAY_CLASS:
        return found
    projects = live_mapped_projects(session, company_id=company_id)
    return [r for r in found if not r.data.get("project_ids") or projects & set(r.data["project_ids"])]


# -- tab summaries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TabSummary:
    """What a tab's title and header say."""

    entity: Entity
    available: bool  # False: cost codes or classifications before any project is mapped
    total: int
    unmapped: int
    broken: int
    procore_count: int
    synced_at: datetime | None
    note: str | None

    @property
    def title(self) -> str:
        tab = TEXT[self.entity].tab
        if not self.available:
            return tab
        counts = [f"{self.unmapped} unmapped"] + ([f"{self.broken} broken"] if self.broken else [])
        return f"{tab} ({', '.join(counts)})"


def tab_summaries(session: Session, *, company_id: int, modules: Iterable[Module]) -> list[TabSummary]:
    """One summary per tab the enabled modules need, in tab order."""
    return [_summary(session, company_id, entity) for entity in entities_for(modules)]


def _summary(session: Session, company_id: int, entity: Entity) -> TabSummary:
    projects = mapped_projects(session, company_id=company_id)
    if entity in PROJECT_SCOPED and not projects:
        text = TEXT[entity]
        return TabSummary(entity, False, 0, 0, 0, 0, None, NO_PROJECT.format(tab=text.tab, tab_lower=text.tab.lower()))
    tables = ([mapping_table(session, company_id=company_id, entity=entity, project_id=p.procore_id) for p in projects]
              if entity is Entity.COST_CODE else [mapping_table(session, company_id=company_id, entity=entity)])
    statuses = pd.concat([t.frame["status"] for t in tables]) if tables else pd.Series([], dtype=object)
    scopes = [p.procore_id for p in projects] if entity is Entity.COST_CODE else [COMPANY_WIDE]
    count = len(records(session, company_id=company_id, entity=entity, scope_ids=scopes, include_missing=False))
    synced = last_synced(session, company_id=company_id, entity=entity)
    return TabSummary(entity, True, len(statuses), int((statuses == "Not mapped").sum()),
                      int(statuses.str.startswith("Broken").sum()), count, synced.synced_at if synced else None, None)
