"""Payroll items (Procore time types) and which one each pay ID is published as."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from core.access import Identity, Perm
from core.errors import ValidationError
from core.models import PayID
from core.models.mapping import Entity, LinkOrigin, PayrollItem
from core.sync.links import link, links_by_local, unlink


def payroll_items_frame(session: Session) -> pd.DataFrame:
    """Imported payroll items, active first."""
    rows = session.exec(select(PayrollItem).order_by(PayrollItem.active.desc(), PayrollItem.code)).all()  # type: ignore[attr-defined]
    return pd.DataFrame(
        [{"code": i.code, "name": i.name, "procore_id": i.procore_id, "active": i.active} for i in rows],
        columns=["code", "name", "procore_id", "active"],
    )


def pay_id_assignments(session: Session, *, company_id: int) -> pd.DataFrame:
    """One row per pay ID: its code and name, and the payroll item it is published as (or none)."""
    links = links_by_local(session, entity=Entity.PAY_ID, company_id=company_id)
    items = {i.procore_id: i for i in session.exec(select(PayrollItem))}
    rows = []
    for pay_id in session.exec(select(PayID).order_by(PayID.code)):
        item = items.get(links[pay_id.id].procore_id) if pay_id.id in links else None
        rows.append({"pay_id_id": pay_id.id, "pay_id": pay_id.code, "name": pay_id.name,
                     "payroll_item": item.procore_id if item else None})
    return pd.DataFrame(rows, columns=["pay_id_id", "pay_id", "name", "payroll_item"])


def assign_payroll_item(
    session: Session, *, company_id: int, pay_id_id: int, procore_id: int | None, actor: Identity
) -> None:
    """Publish pay ID `pay_id_id` as the payroll item `procore_id` (None: as nothing, so not publishable)."""
    actor.require(Perm.PROCORE_SETUP)
    if session.get(PayID, pay_id_id) is None:
        raise ValidationError(f"Pay ID {pay_id_id} does not exist.")
    if procore_id is None:
        unlink(session, entity=Entity.PAY_ID, local_id=pay_id_id)
        return
    item = session.exec(select(PayrollItem).where(PayrollItem.procore_id == procore_id)).first()
    if item is None or not item.active:
        raise ValidationError(f"Payroll item {procore_id} is not an active payroll item; import payroll items again.")
    link(session, entity=Entity.PAY_ID, local_id=pay_id_id, procore_id=procore_id, company_id=company_id,
         origin=LinkOrigin.MANUAL)
