from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core import setup
from core.access import Identity
from core.config import Settings
from core.errors import PermissionDenied
from core.models import JobSite
from core.models.mapping import COMPANY_WIDE, Entity, LinkOrigin, ListSync, ProcoreRecord
from core.models.setup import SyncMode
from core.setup import Module
from core.sync.links import link
from core.sync.lists import entities_for, records, sync_from_procore
from tests.conftest import identity_with_role

EVERYTHING = frozenset({Module.MANPOWER, Module.TIMECARD, Module.QUANTITY})


@pytest.fixture
def one_way(demo_engine: Engine, connected: int, admin: Identity) -> int:
    """The demo world, connected to the emulator's main company in one-way mode with every module; its id."""
    with Session(demo_engine) as session:
        setup.set_active(session, active=True, actor=admin)
        setup.set_mode(session, mode=SyncMode.ONE_WAY, actor=admin)
        setup.set_modules(session, modules=EVERYTHING, actor=admin)
        session.commit()
    return connected


def sync(settings: Settings, engine: Engine, company: int, actor: Identity, *entities: Entity,
         progress: Any = None) -> list[Any]:
    return sync_from_procore(settings, engine, company_id=company, entities=entities, actor=actor, progress=progress)


def control(emulator_url: str, method: str, path: str, **body: Any) -> dict[str, Any]:
    response = httpx.request(method, f"{emulator_url}/_emulator/{path}", json=body, timeout=30)
    response.raise_for_status()
    return dict(response.json())


def map_site(engine: Engine, company: int, number: str, project_number: str, name_prefix: str = "") -> int:
    """Map job site `number` to the synced Procore project with that number (and name prefix); its id."""
    with Session(engine) as session:
        site = session.exec(select(JobSite).where(JobSite.number == number)).one()
        project = next(r for r in records(session, company_id=company, entity=Entity.JOB_SITE)
                       if r.number == project_number and r.name.startswith(name_prefix))
        link(session, entity=Entity.JOB_SITE, local_id=site.id, procore_id=project.procore_id,  # type: ignore[arg-type]
             company_id=company, origin=LinkOrigin.MANUAL)
        session.commit()
        return project.procore_id


def _numbers(engine: Engine, company: int, entity: Entity, scope: int = COMPANY_WIDE) -> list[str | None]:
    with Session(engine) as session:
        return sorted((r.number for r in records(session, company_id=company, entity=entity, scope_ids=[scope])),
                      key=str)


def test_modules_decide_the_tabs() -> None:
    assert entities_for([Module.MANPOWER]) == (Entity.COMPANY, Entity.JOB_SITE)  # a manpower log sends no cost code
    assert entities_for([Module.QUANTITY]) == (Entity.JOB_SITE, Entity.COST_CODE)
    timecard = (Entity.JOB_SITE, Entity.EMPLOYEE, Entity.PAY_CLASS, Entity.COST_CODE, Entity.PAY_ID)
    assert entities_for([Module.TIMECARD]) == entities_for([Module.TIMESHEET]) == timecard
    assert entities_for([Module.MANPOWER, Module.TIMECARD]) == (Entity.COMPANY, *timecard)


def test_sync_reads_every_page_of_each_list(
    settings: Settings, engine: Engine, one_way: int, admin: Identity, emulator_url: str
) -> None:
    control(emulator_url, "PUT", "config", max_per_page=4)
    control(emulator_url, "DELETE", "stats")
    said: list[str] = []
    reports = sync(settings, engine, one_way, admin, Entity.JOB_SITE, Entity.EMPLOYEE,
                   Entity.COMPANY, Entity.PAY_CLASS, Entity.PAY_ID, progress=said.append)
    assert _numbers(engine, one_way, Entity.JOB_SITE) == ["1001", "1002", "1003", "1004", "1005", "1006", "1006",
                                                          "1008", "2001"]
    people = _numbers(engine, one_way, Entity.EMPLOYEE)
    assert len(people) == 39  # 36 mirrored employees, 10901, 10902, and a superintendent without an employee ID
    assert "10007" not in people
    assert {"10001", "10040", "10901", "10902", None} <= set(people)
    assert _numbers(engine, one_way, Entity.PAY_CLASS) == ["CARP", "ELEC", "FORE", "LAB", "OPER", "SUPT"]
    assert _numbers(engine, one_way, Entity.PAY_ID) == ["DT", "HOL", "OT", "PTO", "REG", "SICK"]
    assert _numbers(engine, one_way, Entity.COMPANY) == [None] * 5  # vendors have no number
    stats = control(emulator_url, "GET", "stats")["requests"]
    assert stats["GET /rest/v1.0/projects"] >= 3
    assert stats["GET /rest/v1.0/companies/{company_id}/people"] >= 10
    assert [(r.entity, r.fetched) for r in reports] == [
        (Entity.JOB_SITE, 9), (Entity.COMPANY, 5), (Entity.EMPLOYEE, 39), (Entity.PAY_CLASS, 6), (Entity.PAY_ID, 6)]
    assert "Projects: 9 in Procore (9 new, 0 changed, 0 no longer in Procore, 0 back)" in said
    with Session(engine) as session:
        stamp = session.exec(select(ListSync).where(ListSync.entity == Entity.EMPLOYEE)).one()
        assert stamp.count == 39
        assert stamp.synced_at is not None


def test_sync_again_changes_nothing(settings: Settings, engine: Engine, one_way: int, admin: Identity) -> None:
    sync(settings, engine, one_way, admin, Entity.JOB_SITE)
    again = sync(settings, engine, one_way, admin, Entity.JOB_SITE)[0]
    assert (again.fetched, again.added, again.updated, again.flagged, again.restored) == (9, 0, 0, 0, 0)


def test_cost_codes_are_synced_per_mapped_project(
    settings: Settings, engine: Engine, one_way: int, admin: Identity
) -> None:
    sync(settings, engine, one_way, admin, Entity.JOB_SITE)
    before = sync(settings, engine, one_way, admin, Entity.COST_CODE)
    assert [r.note for r in before] == ["no mapped project yet: map projects first"]
    riverside = map_site(engine, one_way, "1001", "1001")
    harbor = map_site(engine, one_way, "1002", "1002")
    reports = sync(settings, engine, one_way, admin, Entity.COST_CODE)
    assert sorted(r.scope_id for r in reports) == sorted([riverside, harbor])
    assert _numbers(engine, one_way, Entity.COST_CODE, riverside) == [
        "01-100", "01-500", "02-200", "03-300", "05-100", "06-100", "09-250", "26-050", "99-001"]
    assert "26-050" not in _numbers(engine, one_way, Entity.COST_CODE, harbor)  # even-indexed projects lack it
    assert "99-002" in _numbers(engine, one_way, Entity.COST_CODE, harbor)


def test_records_gone_from_procore_are_flagged_and_unflagged_when_back(
    settings: Settings, engine: Engine, one_way: int, admin: Identity, emulator_url: str
) -> None:
    sync(settings, engine, one_way, admin, Entity.EMPLOYEE)
    # Procore loses the last employees (their ids go to the people created after them: 10901, 10902, ...)
    control(emulator_url, "POST", "reset", employees=30)
    shrunk = sync(settings, engine, one_way, admin, Entity.EMPLOYEE)[0]
    with Session(engine) as session:
        gone = {r.number for r in records(session, company_id=one_way, entity=Entity.EMPLOYEE) if r.missing_since}
    assert {"10036", "10038", "10040"} <= gone
    assert "10030" not in gone
    assert shrunk.flagged == len(gone)
    control(emulator_url, "POST", "reset", employees=40)  # the same seed gives the same people back
    back = sync(settings, engine, one_way, admin, Entity.EMPLOYEE)[0]
    with Session(engine) as session:
        restored = {r.number for r in records(session, company_id=one_way, entity=Entity.EMPLOYEE)
                    if r.missing_since is None}
    assert {"10036", "10038", "10040"} <= restored
    assert back.restored == shrunk.flagged


def test_sync_needs_the_data_mapping_permission(
    settings: Settings, engine: Engine, one_way: int, session: Session
) -> None:
    viewer = identity_with_role(session, "Viewer")
    with pytest.raises(PermissionDenied, match="Procore Connect data mapping"):
        sync(settings, engine, one_way, viewer, Entity.JOB_SITE)
    assert session.exec(select(ProcoreRecord)).first() is None
