from __future__ import annotations

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from core.access import Identity
from core.config import Settings
from core.errors import PermissionDenied
from core.models import Company, CostCode, Employee, JobSite, PayID
from core.models.mapping import Entity, PayrollItem, ProcoreLink
from core.procore.connection import open_client
from core.sync.importer import run_import
from tests.conftest import identity_with_role


def _counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__name__: int(session.exec(select(func.count()).select_from(model)).one())
            for model in (Company, JobSite, Employee, CostCode, PayrollItem, ProcoreLink)
        }


def _import(settings: Settings, engine: Engine, company: int, admin: Identity):  # type: ignore[no-untyped-def]
    with open_client(settings, engine, sleep=lambda _s: None) as client:
        return run_import(settings, engine, actor=admin, company_id=company, client=client)


def test_import_twice_gives_the_same_records(
    settings: Settings, engine: Engine, connected: int, admin: Identity,
) -> None:
    first = _import(settings, engine, connected, admin)
    after_first = _counts(engine)
    assert first.steps["job sites"].created == after_first["JobSite"] > 0
    assert first.steps["employees"].created == after_first["Employee"] > 0
    second = _import(settings, engine, connected, admin)
    assert _counts(engine) == after_first
    assert {name: (s.created, s.updated) for name, s in second.steps.items() if s.created or s.updated} == {}
    assert second.steps["job sites"].unchanged == after_first["JobSite"]


def test_import_matches_existing_records_by_number_and_links_them(
    settings: Settings, engine: Engine, connected: int, admin: Identity, demo_engine: Engine
) -> None:
    before = _counts(engine)
    report = _import(settings, engine, connected, admin)
    with Session(engine) as session:
        riverside = session.exec(select(JobSite).where(JobSite.number == "1001")).one()
        link = session.exec(select(ProcoreLink).where(ProcoreLink.entity == Entity.JOB_SITE,
                                                      ProcoreLink.local_id == riverside.id)).one()
        assert link.procore_id > 2**32  # Procore ids are 64-bit
        employee = session.exec(select(Employee).where(Employee.number == "10001")).one()
        assert session.exec(select(ProcoreLink).where(ProcoreLink.entity == Entity.EMPLOYEE,
                                                      ProcoreLink.local_id == employee.id)).first() is not None
        # REG/OT/DT are suggested as payroll items by code; TRV has no Procore time type
        links = session.exec(select(ProcoreLink).where(ProcoreLink.entity == Entity.PAY_ID))
        pay_links = {session.get(PayID, link.local_id).code for link in links}  # type: ignore[union-attr]
        assert pay_links == {"REG", "OT", "DT"}
    after = _counts(engine)
    # 1001-1006 and 1008 exist here: 2001 is new, and the second project numbered 1006 is refused
    assert after["JobSite"] - before["JobSite"] == report.steps["job sites"].created == 1
    assert report.steps["job sites"].skipped == [
        "project Canyon Water Treatment - Phase 2: number 1006 is already linked to another project"]
    assert report.steps["employees"].created == 2  # 10901 and 10902


def test_cost_codes_follow_the_site_and_standard_rule(
    settings: Settings, engine: Engine, connected: int, admin: Identity,
) -> None:
    report = _import(settings, engine, connected, admin)
    with Session(engine) as session:
        standard = session.exec(select(CostCode).where(CostCode.job_site_id.is_(None))).all()  # type: ignore[union-attr]
        site_codes = session.exec(select(CostCode).where(CostCode.job_site_id.is_not(None))).all()  # type: ignore[union-attr]
        assert {c.code for c in standard} >= {"01-100", "03-300", "01-500"}
        assert all(c.code.startswith("99-") for c in site_codes)
        riverside = session.exec(select(JobSite).where(JobSite.number == "1001")).one()
        assert [c.code for c in site_codes if c.job_site_id == riverside.id] == ["99-001"]
    assert report.steps["cost codes"].linked > 0


def test_import_interrupted_by_load_shedding_resumes_without_duplicates(
    settings: Settings, engine: Engine, connected: int, admin: Identity, emulator_url: str
) -> None:
    httpx.put(f"{emulator_url}/_emulator/config", json={"faults": {"503": 1.0}}, timeout=10).raise_for_status()
    with pytest.raises(Exception, match="503|unavailable|load"):
        _import(settings, engine, connected, admin)
    httpx.put(f"{emulator_url}/_emulator/config", json={"faults": {"503": 0.0}}, timeout=10).raise_for_status()
    _import(settings, engine, connected, admin)
    once = _counts(engine)
    _import(settings, engine, connected, admin)
    assert _counts(engine) == once


def test_only_setup_permission_may_import(settings: Settings, engine: Engine, connected: int, session: Session) -> None:
    with pytest.raises(PermissionDenied):
        _import(settings, engine, connected, identity_with_role(session, "Viewer"))
