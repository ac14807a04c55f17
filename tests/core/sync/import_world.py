"""A linked world where Procore changed since the last import: an employee renamed, a project's time zone moved."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from core.models import Employee, JobSite
from core.models.mapping import Entity, ProcoreLink
from core.models.publishing import PublishModule, PublishStatus
from emulator.store import Store
from tests.core.publishing.engine_world import Linked

TIMECARD = PublishModule.TIMECARD
FAR_EAST = "Pacific/Kiritimati"  # UTC+14: a US morning clock-in falls on the next local day there


def procore_edit(linked: Linked, kind: str, local: Any, entity: Entity, **fields: Any) -> None:
    """Change a record in Procore (the emulator's state), as a person in Procore would."""
    with Session(linked.engine) as session:
        remote = session.exec(select(ProcoreLink.procore_id).where(
            ProcoreLink.entity == entity, ProcoreLink.local_id == local.id)).one()
    store = Store(str(linked.settings.emulator_state))
    with store.tx(write=True) as tx:
        record = tx.get(kind, remote)
        assert record is not None
        tx.save(kind, {**record, **fields})
    store.close()


def site_of(linked: Linked, number: str = "1001") -> JobSite:
    with Session(linked.engine) as session:
        return session.exec(select(JobSite).where(JobSite.number == number)).one()


def employee_of(linked: Linked, number: str = "10001") -> Employee:
    with Session(linked.engine) as session:
        return session.exec(select(Employee).where(Employee.number == number)).one()


def rename_and_move(linked: Linked) -> Linked:
    """Site 1001's timecards published, then in Procore: employee 10001 renamed, project 1001 moved to UTC+14."""
    linked.publish(TIMECARD, sites=["1001"])
    assert [e for e in linked.entries(TIMECARD) if e.status == PublishStatus.PUBLISHED]
    procore_edit(linked, "person", employee_of(linked), Entity.EMPLOYEE, first_name="Anabel")
    procore_edit(linked, "project", site_of(linked), Entity.JOB_SITE, time_zone=FAR_EAST)
    return linked
