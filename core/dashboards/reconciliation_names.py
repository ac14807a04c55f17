"""Names for the Procore ids a reconciliation's (or a preview's) records hold: vendors, people, cost codes…

Our own names come first: the reconciliation's `Namer` (employees, cost codes),
then our companies and pay IDs through their links; Procore's synced lists name
the rest (anything we have not mapped); an id nothing names stays
"Procore vendor 812".
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from core.dashboards.reconciliation import Name
from core.models import Company, PayID
from core.models.mapping import Entity, ProcoreLink, ProcoreRecord
from core.modules.amounts import Namer
from core.reconcile.sources import namer

_RECORDS: Table = ProcoreRecord.__table__  # type: ignore[attr-defined]
_LINKS: Table = ProcoreLink.__table__  # type: ignore[attr-defined]
KIND_ENTITIES = {"vendor": (Entity.COMPANY,), "person": (Entity.EMPLOYEE,), "time type": (Entity.PAY_ID,),
                 "cost code": (Entity.COST_CODE, Entity.STANDARD_COST_CODE), "classification": (Entity.PAY_CLASS,)}
_OURS: dict[str, tuple[Entity, Any]] = {"vendor": (Entity.COMPANY, Company.__table__),  # type: ignore[attr-defined]
                                       "time type": (Entity.PAY_ID, PayID.__table__)}  # type: ignore[attr-defined]


def record_names(session: Session, *, company_id: int, ours: Namer) -> Name:
    """A `Name` for the company's Procore ids (see the module docstring)."""
    known = _listed(session, company_id)
    for kind, (entity, table) in _OURS.items():
        known[kind].update(_linked(session, company_id, entity, table))

    def name(kind: str, procore_id: object) -> str:
        unknown = f"Procore {kind} {procore_id}"
        found = ours(kind, procore_id)
        if found != unknown:
            return found
        return known[kind].get(procore_id, unknown) if isinstance(procore_id, int) else unknown

    return name


def procore_names(session: Session, *, company_id: int) -> Name:
    """Names for any Procore id a publish writes or reads: ours first (`namer`), then Procore's lists."""
    return record_names(session, company_id=company_id, ours=namer(session, company_id=company_id))


def _listed(session: Session, company_id: int) -> dict[str, dict[int, str]]:
    """Kind → Procore id → the name in Procore's synced lists."""
    entities = {entity.value: kind for kind, found in KIND_ENTITIES.items() for entity in found}
    query = select(_RECORDS.c.entity, _RECORDS.c.procore_id, _RECORDS.c.name).where(
        _RECORDS.c.procore_company_id == company_id, _RECORDS.c.entity.in_(list(entities)))
    listed: dict[str, dict[int, str]] = defaultdict(dict)
    for entity, procore_id, text in session.connection().execute(query):
        listed[entities[str(entity)]][int(procore_id)] = str(text)
    return listed


def _linked(session: Session, company_id: int, entity: Entity, table: Table) -> dict[int, str]:
    """Procore id → the name of our record linked to it."""
    query = select(_LINKS.c.procore_id, table.c.name).join(table, table.c.id == _LINKS.c.local_id).where(
        _LINKS.c.entity == entity.value, _LINKS.c.procore_company_id == company_id)
    return {int(procore_id): str(text) for procore_id, text in session.connection().execute(query)}
