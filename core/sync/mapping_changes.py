"""Changing mappings by hand (the Data mapping grid, the CLI): all of a save or none of it.

Each save checks the entity's rule (`core.sync.mapping.RULES`): one to one except pay IDs, choices from
the synced lists only, and re-mapping a job site drops cost-code links its new project cannot hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from sqlmodel import Session, col, select

from core.access import Identity, Perm
from core.errors import ValidationError
from core.models import CostCode
from core.models.mapping import Entity, LinkOrigin, ProcoreLink, ProcoreRecord
from core.sync.links import link, links_by_local, unlink
from core.sync.lists import TEXT, record_label, records
from core.sync.mapping import RULES, Local, candidates, local_records, scope_of


def save_mappings(
    session: Session, *, company_id: int, entity: Entity, changes: Mapping[int, int | None], actor: Identity,
    project_id: int | None = None,
) -> int:
    """Map each of our records in `changes` to its Procore record (None: unmap), all or nothing.

    Returns how many mappings changed. Raises ValidationError, changing nothing, when a choice breaks
    the entity's rule (`RULES`), names an unknown record, or a Procore record no longer in Procore.
    """
    actor.require(Perm.DATA_MAPPING)
    scope, job_site_id = scope_of(session, company_id, entity, project_id)
    locals_ = {r.id: r for r in local_records(session, entity=entity, job_site_id=job_site_id)}
    current = {i: ln.procore_id for i, ln in links_by_local(session, entity=entity, company_id=company_id,
                                                              scope_id=scope).items()}
    wanted = {i: p for i, p in changes.items() if current.get(i) != p}
    _check(session, company_id, entity, scope, wanted, locals_, current)
    for local_id in wanted:
        unlink(session, entity=entity, local_id=local_id, scope_id=scope)
    for local_id, procore_id in wanted.items():
        if procore_id is not None:
            link(session, entity=entity, local_id=local_id, procore_id=procore_id, company_id=company_id,
                 origin=LinkOrigin.MANUAL, scope_id=scope)
    if entity is Entity.JOB_SITE:
        _prune_cost_codes(session, company_id, {p for p in (*wanted.values(), *(current.get(i) for i in wanted)) if p})
    return len(wanted)


def _check(session: Session, company_id: int, entity: Entity, scope: int, wanted: Mapping[int, int | None],
           locals_: dict[int, Local], current: dict[int, int]) -> None:
    text = TEXT[entity]
    unknown = sorted(set(wanted) - set(locals_))
    if unknown:
        where = " of this project's job site" if entity is Entity.COST_CODE else ""
        raise ValidationError(f"There is no {text.local}{where} with id {unknown[0]}; reload the page. "
                              "Nothing was saved.")
    every = {r.procore_id: r for r in records(session, company_id=company_id, entity=entity, scope_ids=[scope])}
    allowed = {r.procore_id for r in candidates(session, company_id, entity, scope)}
    for procore_id in (p for p in wanted.values() if p is not None):
        if procore_id not in allowed:
            known = f" {record_label(every[procore_id])}" if procore_id in every else f" {procore_id}"
            raise ValidationError(f"Procore {text.procore}{known} is not in the synced list of {text.tab.lower()} "
                                  f"(or no longer in Procore); sync {text.tab} and choose again. Nothing was saved.")
    if entity is not Entity.PAY_ID:
        _check_one_to_one(session, entity, {**current, **wanted}, set(wanted), every, locals_)


def _check_one_to_one(session: Session, entity: Entity, final: dict[int, int | None], changed: set[int],
                      every: dict[int, ProcoreRecord], locals_: dict[int, Local]) -> None:
    holders: dict[int, list[int]] = defaultdict(list)
    for local_id, procore_id in final.items():
        if procore_id is not None:
            holders[procore_id].append(local_id)
    text = TEXT[entity]
    for procore_id, local_ids in holders.items():
        if len(local_ids) < 2 or not changed & set(local_ids):
            continue
        name = record_label(every[procore_id]) if procore_id in every else str(procore_id)
        others = [i for i in local_ids if i not in changed]
        rule = RULES[entity].split(". ")[0].rstrip(".")
        if others:
            holder = locals_[others[0]].label if others[0] in locals_ else f"another {text.local} (id {others[0]})"
            raise ValidationError(f"Procore {text.procore} {name} is already mapped to {text.local} {holder}; "
                                  f"unmap it there first ({rule}). Nothing was saved.")
        names = " and ".join(locals_[i].label for i in sorted(local_ids))
        raise ValidationError(f"Procore {text.procore} {name} was chosen for {text.locals} {names} ({rule}). "
                              "Nothing was saved.")


def _prune_cost_codes(session: Session, company_id: int, project_ids: set[int]) -> None:
    """Drop cost code links, in projects whose job site changed, to site codes of another job site."""
    if not project_ids:
        return
    owner = {ln.procore_id: site for site, ln in links_by_local(session, entity=Entity.JOB_SITE,
                                                                 company_id=company_id).items()}
    rows = session.exec(select(ProcoreLink, CostCode).join(CostCode, col(CostCode.id) == ProcoreLink.local_id).where(
        ProcoreLink.entity == Entity.COST_CODE, ProcoreLink.procore_company_id == company_id,
        col(ProcoreLink.scope_id).in_(project_ids), col(CostCode.job_site_id).is_not(None),
    ))
    for row, code in rows:
        if owner.get(row.scope_id) != code.job_site_id:
            session.delete(row)
    session.flush()
