"""Reading and writing links between our records and Procore's."""

from __future__ import annotations

from sqlmodel import Session, select

from core.db import utcnow
from core.models.mapping import COMPANY_WIDE, Entity, LinkOrigin, ProcoreLink
from core.timeclock.dirty import forget_refreshed


def links_by_remote(
    session: Session, *, entity: Entity, company_id: int, scope_id: int = COMPANY_WIDE
) -> dict[int, ProcoreLink]:
    """Procore id → link, for one entity and scope."""
    rows = session.exec(
        select(ProcoreLink).where(
            ProcoreLink.entity == entity, ProcoreLink.procore_company_id == company_id, ProcoreLink.scope_id == scope_id
        )
    )
    return {link.procore_id: link for link in rows}


def links_by_local(
    session: Session, *, entity: Entity, company_id: int, scope_id: int | None = COMPANY_WIDE
) -> dict[int, ProcoreLink]:
    """Local id → link, for one entity (and scope, unless None: then every scope, last wins)."""
    query = select(ProcoreLink).where(ProcoreLink.entity == entity, ProcoreLink.procore_company_id == company_id)
    if scope_id is not None:
        query = query.where(ProcoreLink.scope_id == scope_id)
    return {link.local_id: link for link in session.exec(query)}


def link(
    session: Session, *, entity: Entity, local_id: int, procore_id: int, company_id: int,
    origin: LinkOrigin, scope_id: int = COMPANY_WIDE,
) -> ProcoreLink:
    """Link `local_id` to `procore_id` (replacing the local record's previous link in that scope)."""
    existing = session.exec(
        select(ProcoreLink).where(
            ProcoreLink.entity == entity, ProcoreLink.local_id == local_id, ProcoreLink.scope_id == scope_id
        )
    ).first()
    row = existing or ProcoreLink(entity=entity, local_id=local_id, procore_id=procore_id, scope_id=scope_id,
                                  procore_company_id=company_id, origin=origin)
    row.procore_id, row.procore_company_id, row.origin, row.updated_at = procore_id, company_id, origin, utcnow()
    session.add(row)
    session.flush()
    forget_refreshed(session)  # mapping reasons can change on any entry
    return row


def unlink(session: Session, *, entity: Entity, local_id: int, scope_id: int = COMPANY_WIDE) -> bool:
    """Remove the local record's link in that scope; True when there was one."""
    row = session.exec(
        select(ProcoreLink).where(
            ProcoreLink.entity == entity, ProcoreLink.local_id == local_id, ProcoreLink.scope_id == scope_id
        )
    ).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    forget_refreshed(session)
    return True
