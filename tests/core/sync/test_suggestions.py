"""Mapping suggestions on the emulator's seed world: found by abbreviation and name, mapped only when accepted."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.access import Identity
from core.config import Settings
from core.errors import PermissionDenied
from core.models import Company, Employee, JobSite
from core.models.mapping import Entity, LinkOrigin
from core.sync import suggestions
from core.sync.links import links_by_local
from tests.conftest import identity_with_role
from tests.core.sync.test_lists import EVERYTHING, one_way, sync  # noqa: F401 - the fixture

LISTS = (Entity.JOB_SITE, Entity.COMPANY, Entity.EMPLOYEE)


@pytest.fixture
def synced(settings: Settings, engine: Engine, one_way: int, admin: Identity) -> int:  # noqa: F811
    sync(settings, engine, one_way, admin, *LISTS)
    return one_way


def _links(session: Session, company: int, entity: Entity) -> dict[int, int]:
    links = links_by_local(session, entity=entity, company_id=company)
    return {local: link.procore_id for local, link in links.items()}


def test_vendor_apx_is_found_by_its_abbreviation_and_nothing_is_mapped_until_accepted(
    session: Session, synced: int,
) -> None:
    apex = session.exec(select(Company).where(Company.number == "APX")).one()

    found = suggestions.suggest(session, company_id=synced, entities=[Entity.COMPANY])

    apx = next(s for s in found if s.local_id == apex.id)
    assert apx.procore_label == "Apex Concrete (APX)"
    assert apx.matched == "abbreviation and name"
    assert apx.confidence == 1.0
    assert apx.sentence() == "Company APX Apex Concrete → Apex Concrete (APX) (by abbreviation and name, 100%)"
    assert _links(session, synced, Entity.COMPANY) == {}


def _rename(session: Session, row: Any, **changes: str) -> None:
    for name, value in changes.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()


def test_employees_without_a_matching_number_are_suggested_by_name(session: Session, synced: int) -> None:
    # Procore lacks employee number 10007; its person Wes Vargas has no employee number at all.
    wes = session.exec(select(Employee).where(Employee.number == "10007")).one()
    _rename(session, wes, first_name="Wes", last_name="Vargas")

    found = suggestions.suggest(session, company_id=synced, entities=[Entity.EMPLOYEE])

    assert [(s.local_id, s.procore_label, s.matched, s.confidence) for s in found] == [
        (wes.id, "Wes Vargas", "name", 1.0)]


def test_bulk_accept_above_a_threshold_maps_only_those(session: Session, synced: int, admin: Identity) -> None:
    lakeview = session.exec(select(JobSite).where(JobSite.number == "1003")).one()
    _rename(session, lakeview, name="Lakeview School Gym")
    found = suggestions.suggest(session, company_id=synced)
    sure = suggestions.above(found, 0.9)
    unsure = [s for s in found if s not in sure]
    assert len(sure) == 10  # four vendors by abbreviation, six projects by name
    assert [(s.local_id, s.matched) for s in unsure] == [(lakeview.id, "name")]
    assert 0.6 <= unsure[0].confidence < 0.9

    done = suggestions.accept(session, company_id=synced, chosen=sure, actor=admin, modules=EVERYTHING)

    assert done.mapped == sure
    for entity in suggestions.SUGGESTED:
        links = links_by_local(session, entity=entity, company_id=synced)
        assert {local: link.procore_id for local, link in links.items()} == {
            s.local_id: s.procore_id for s in sure if s.entity is entity}
        assert {link.origin for link in links.values()} <= {LinkOrigin.MANUAL}
    assert any("cost codes" in line or "classification" in line for line in done.lines())


def test_accepting_needs_the_data_mapping_permission(session: Session, synced: int) -> None:
    viewer = identity_with_role(session, "Viewer")
    found = suggestions.suggest(session, company_id=synced, entities=[Entity.JOB_SITE])

    with pytest.raises(PermissionDenied):
        suggestions.accept(session, company_id=synced, chosen=found[:1], actor=viewer)
    assert _links(session, synced, Entity.JOB_SITE) == {}
    assert session.exec(select(JobSite)).first() is not None


def test_command_line_lists_suggestions_and_maps_only_with_accept_above(
    settings: Settings, engine: Engine, one_way: int, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    from core.cli import main

    for name, value in (("DATABASE_URL", settings.database_url), ("DATA_DIR", str(settings.data_dir)),
                        ("EMULATOR_STATE", str(settings.emulator_state)), ("DEMO_DATA", "false")):
        monkeypatch.setenv(name, value)
    assert main(["mapping", "sync", "--entity", "vendors"]) == 0
    capsys.readouterr()
    assert main(["mapping", "suggest", "--entity", "vendors"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert "Company APX Apex Concrete → Apex Concrete (APX) (by abbreviation and name, 100%)" in listed
    with Session(engine) as session:
        assert _links(session, one_way, Entity.COMPANY) == {}

    assert main(["mapping", "suggest", "--entity", "vendors", "--accept-above", "0.9"]) == 0
    accepted = capsys.readouterr().out
    assert f"Accepted {len(listed)} suggestions at least 90% sure:" in accepted
    assert "  mapped Company APX Apex Concrete → Apex Concrete (APX)" in accepted
    with Session(engine) as session:
        assert len(_links(session, one_way, Entity.COMPANY)) == len(listed)
    with pytest.raises(SystemExit, match="2"):
        main(["mapping", "suggest", "--accept-above", "1.5"])
    assert "is not a confidence between 0 and 1" in capsys.readouterr().err
