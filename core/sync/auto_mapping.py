"""Auto-map: our records not mapped yet linked to the one Procore record with the same number.

Numbers are compared with case and spaces ignored (`core.sync.mapping.normalized`). An existing mapping,
made by hand or not, is never replaced; ambiguous numbers, numbers Procore lacks and matches mapped to
another record are left to the person and listed. Mapping projects runs auto-map for what belongs to them
(cost codes, classifications) and says what it did.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

from core.access import Identity, Perm
from core.errors import ValidationError
from core.models.mapping import COMPANY_WIDE, Entity, LinkOrigin, ProcoreRecord
from core.modules.entities import PROJECT_SCOPED
from core.sync.links import link, links_by_local
from core.sync.lists import TEXT, last_synced, record_label
from core.sync.mapping import (
    NO_PROJECT,
    NUMBERED,
    candidates,
    local_records,
    mapped_projects,
    normalized,
)
from core.sync.mapping_changes import save_mappings


@dataclass
class AutoMapReport:
    """What auto-map did, and what it left to the person (each as a sentence)."""

    entity: Entity
    mapped: list[str] = field(default_factory=list)
    already: int = 0
    missing: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)
    not_synced: list[str] = field(default_factory=list)  # projects whose cost codes were never synced

    def summary(self) -> str:
        text = TEXT[self.entity]
        left = len(self.missing) + len(self.ambiguous) + len(self.taken)
        return (f"Auto-map mapped {len(self.mapped)} {text.locals} by number "
                f"({self.already} were already mapped and kept); {left} left to map by hand "
                f"({len(self.ambiguous)} ambiguous, {len(self.missing)} without a Procore match, "
                f"{len(self.taken)} whose match is mapped to another {text.local})"
                + (f"; {len(self.not_synced)} projects' cost codes not synced yet." if self.not_synced else "."))

    @property
    def left_to_person(self) -> list[str]:
        return [*self.not_synced, *self.ambiguous, *self.missing, *self.taken]


def auto_map(
    session: Session, *, company_id: int, entity: Entity, actor: Identity, project_id: int | None = None,
) -> AutoMapReport:
    """Map our records that are not mapped yet to the one Procore record with the same number.

    Ambiguous numbers (two Procore records share it) and numbers Procore lacks are
    left to the person and listed. Existing mappings, made by hand or not, are kept.
    Cost codes are matched within each mapped project (`project_id`, or all of them).
    """
    actor.require(Perm.DATA_MAPPING)
    text = TEXT[entity]
    if entity not in NUMBERED:
        raise ValidationError(f"Procore {text.procore}s have no number, so auto-map cannot match them; "
                              "map them by hand.")
    projects = mapped_projects(session, company_id=company_id)
    if entity in PROJECT_SCOPED and not projects:
        raise ValidationError(NO_PROJECT.format(tab=text.tab, tab_lower=text.tab.lower()))
    report = AutoMapReport(entity)
    if entity is not Entity.COST_CODE:
        _auto_scope(session, company_id, entity, COMPANY_WIDE, None, "", report)
        return report
    for project in projects:
        if project_id is None or project.procore_id == project_id:
            _auto_scope(session, company_id, entity, project.procore_id, project.job_site_id,
                        f"Project {project.label}: ", report)
    return report


def _auto_scope(session: Session, company_id: int, entity: Entity, scope: int, job_site_id: int | None,
                prefix: str, report: AutoMapReport) -> None:
    text = TEXT[entity]
    never_synced = last_synced(session, company_id=company_id, entity=entity, scope_id=scope) is None
    if entity is Entity.COST_CODE and never_synced:
        report.not_synced.append(f"{prefix}its cost codes were not synced yet; sync cost codes, then auto-map again")
        return
    by_number: dict[str, list[ProcoreRecord]] = defaultdict(list)
    for record in candidates(session, company_id, entity, scope):
        if normalized(record.number):
            by_number[normalized(record.number)].append(record)
    links = links_by_local(session, entity=entity, company_id=company_id, scope_id=scope)
    holder = {ln.procore_id: local_id for local_id, ln in links.items()}
    locals_ = local_records(session, entity=entity, job_site_id=job_site_id)
    labels = {r.id: r.label for r in locals_}
    for local in locals_:
        matches = by_number.get(normalized(local.number), [])
        who = f"{prefix}{text.local_title} {local.label}"
        if local.id in links:
            report.already += 1
        elif not matches:
            report.missing.append(f"{who}: no Procore {text.procore} numbered {local.number}")
        elif len(matches) > 1:
            names = ", ".join(record_label(m) for m in matches)
            report.ambiguous.append(
                f"{who}: {len(matches)} Procore {text.procore}s are numbered {local.number} ({names})")
        elif entity is not Entity.PAY_ID and matches[0].procore_id in holder:
            other = labels.get(holder[matches[0].procore_id], "another one")
            report.taken.append(f"{who}: Procore {text.procore} {record_label(matches[0])} is already mapped to "
                                f"{text.local} {other}")
        else:
            link(session, entity=entity, local_id=local.id, procore_id=matches[0].procore_id, company_id=company_id,
                 origin=LinkOrigin.AUTO, scope_id=scope)
            holder[matches[0].procore_id] = local.id
            report.mapped.append(f"{who} → {record_label(matches[0])}")


@dataclass
class ProjectMappingReport:
    """Job sites mapped to projects, and what auto-map then did for the projects' cost codes and classifications."""

    changed: int
    follow_up: list[AutoMapReport] = field(default_factory=list)


def map_projects(
    session: Session, *, company_id: int, changes: Mapping[int, int | None], actor: Identity,
    follow: Iterable[Entity] = PROJECT_SCOPED,
) -> ProjectMappingReport:
    """`save_mappings` for job sites, then auto-map (by number) of `follow` for each newly mapped project.

    A new project brings its cost codes (and classifications) to the grid unmapped; auto-map maps those
    with equal numbers at once and the report says what it did and what it left.
    """
    report = ProjectMappingReport(save_mappings(session, company_id=company_id, entity=Entity.JOB_SITE,
                                                changes=changes, actor=actor))
    projects = {p for p in changes.values() if p is not None}
    for entity in (e for e in (Entity.COST_CODE, Entity.PAY_CLASS) if e in set(follow)):
        if entity is Entity.COST_CODE:
            report.follow_up.extend(auto_map(session, company_id=company_id, entity=entity, actor=actor,
                                             project_id=project) for project in sorted(projects))
        elif projects:
            report.follow_up.append(auto_map(session, company_id=company_id, entity=entity, actor=actor))
    return report
