"""Mapping suggestions beside auto-map by number: vendors by abbreviation and name, people and projects by name.

Procore names a vendor "Apex Concrete (APX)" and our company number is APX: the
abbreviation matches exactly. Employees whose number Procore lacks, and job
sites, are compared by name (rapidfuzz, token order and case ignored). Each
suggestion says what matched and how sure it is (0 to 1); nothing is mapped
until a person accepts it, one by one or every suggestion above a threshold,
through the mapping service (`core.sync.mapping`, with its permission and rules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, utils
from sqlmodel import Session

from core.access import Identity
from core.models.mapping import Entity, ProcoreRecord
from core.sync import auto_mapping, mapping
from core.sync.links import links_by_local
from core.sync.lists import TEXT, entities_for, record_label, records
from core.sync.mapping_changes import save_mappings

SUGGESTED = (Entity.COMPANY, Entity.JOB_SITE, Entity.EMPLOYEE)
MINIMUM = 0.6  # below this a name match is noise, not a suggestion
SAME_NAME = 0.9  # a name this close also counts beside a matching abbreviation
_TRAILING_ABBREVIATION = re.compile(r"\(([^()]+)\)\s*$")


@dataclass(frozen=True)
class Suggestion:
    """Our record, the Procore record it may map to, what matched and how sure (0 to 1)."""

    entity: Entity
    local_id: int
    local_label: str
    procore_id: int
    procore_label: str
    matched: str  # "abbreviation", "name", "abbreviation and name"
    confidence: float

    def sentence(self) -> str:
        return (f"{TEXT[self.entity].local_title} {self.local_label} → {self.procore_label} "
                f"(by {self.matched}, {self.confidence:.0%})")


def suggest(session: Session, *, company_id: int, entities: Iterable[Entity] = SUGGESTED) -> list[Suggestion]:
    """Suggestions for our unmapped records, at most one per record and per Procore record, surest first."""
    found: list[Suggestion] = []
    for entity in (e for e in SUGGESTED if e in set(entities)):
        found.extend(_one_to_one(_pairs(session, company_id, entity)))
    return sorted(found, key=lambda s: (-s.confidence, s.entity.value, s.local_label))


def _pairs(session: Session, company_id: int, entity: Entity) -> list[Suggestion]:
    links = links_by_local(session, entity=entity, company_id=company_id)
    taken = {link.procore_id for link in links.values()}
    candidates = [r for r in records(session, company_id=company_id, entity=entity, include_missing=False)
                  if r.procore_id not in taken]
    numbers = {mapping.normalized(r.number) for r in candidates if r.number}
    pairs = []
    for local in mapping.local_records(session, entity=entity):
        if local.id in links or (entity is Entity.EMPLOYEE and mapping.normalized(local.number) in numbers):
            continue  # mapped already, or auto-map matches it by number
        for record in candidates:
            scored = _score(entity, local, record)
            if scored is not None:
                pairs.append(Suggestion(entity, local.id, local.label, record.procore_id, record_label(record),
                                        *scored))
    return pairs


def _score(entity: Entity, local: mapping.Local, record: ProcoreRecord) -> tuple[str, float] | None:
    name = fuzz.token_sort_ratio(local.name, _bare_name(record), processor=utils.default_process) / 100
    abbreviation = _abbreviation(record) if entity is Entity.COMPANY else None
    if abbreviation and mapping.normalized(abbreviation) == mapping.normalized(local.number):
        return ("abbreviation and name", 1.0) if name >= SAME_NAME else ("abbreviation", 0.95)
    return ("name", round(name, 2)) if name >= MINIMUM else None


def _abbreviation(record: ProcoreRecord) -> str | None:
    stated = (record.data or {}).get("abbreviated_name")
    if stated:
        return str(stated)
    found = _TRAILING_ABBREVIATION.search(record.name)
    return found.group(1) if found else None


def _bare_name(record: ProcoreRecord) -> str:
    """The record's name without a trailing "(ABBR)"."""
    return _TRAILING_ABBREVIATION.sub("", record.name).strip() or record.name


def _one_to_one(pairs: Sequence[Suggestion]) -> list[Suggestion]:
    """The surest pair first; each of our records and each Procore record used once (the mapping rule)."""
    chosen, locals_, remotes = [], set(), set()
    for pair in sorted(pairs, key=lambda s: (-s.confidence, s.local_label, s.procore_label)):
        if pair.local_id not in locals_ and pair.procore_id not in remotes:
            chosen.append(pair)
            locals_.add(pair.local_id)
            remotes.add(pair.procore_id)
    return chosen


@dataclass
class Accepted:
    """What accepting did: the mappings made, and auto-map's reports for newly mapped projects."""

    mapped: list[Suggestion] = field(default_factory=list)
    follow_up: list[auto_mapping.AutoMapReport] = field(default_factory=list)

    def lines(self) -> list[str]:
        made = [f"mapped {s.sentence()}" for s in self.mapped]
        return made + [f"then {r.summary()}" for r in self.follow_up]


def above(suggestions: Iterable[Suggestion], threshold: float) -> list[Suggestion]:
    """The suggestions at least `threshold` sure (bulk accept)."""
    return [s for s in suggestions if s.confidence >= threshold]


def accept(
    session: Session, *, company_id: int, chosen: Sequence[Suggestion], actor: Identity,
    modules: Iterable[str] = (),
) -> Accepted:
    """Map each chosen suggestion through the mapping service (the Data mapping permission, its rules).

    Mapped projects get their cost codes and classifications auto-mapped when `modules` need them.

    Raises:
        PermissionDenied: `actor` may not change mappings.
        ValidationError: a choice breaks a mapping rule; that entity's suggestions are not saved.
    """
    done = Accepted()
    for entity in SUGGESTED:
        picked = [s for s in chosen if s.entity is entity]
        if not picked:
            continue
        changes: dict[int, int | None] = {s.local_id: s.procore_id for s in picked}
        if entity is Entity.JOB_SITE:
            follow = [e for e in entities_for(modules) if e in (Entity.COST_CODE, Entity.PAY_CLASS)]
            report = auto_mapping.map_projects(session, company_id=company_id, changes=changes, actor=actor,
                                               follow=follow)
            done.follow_up.extend(report.follow_up)
        else:
            save_mappings(session, company_id=company_id, entity=entity, changes=changes, actor=actor)
        done.mapped.extend(picked)
    return done
