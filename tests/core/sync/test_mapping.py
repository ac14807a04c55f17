from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.access import Identity
from core.config import Settings
from core.errors import PermissionDenied, ValidationError
from core.models import CostCode, JobSite, PayID
from core.models.ids import saved_id
from core.models.mapping import Entity, LinkOrigin, ProcoreLink
from core.sync import auto_mapping, mapping
from core.sync.links import links_by_local
from core.sync.lists import records
from core.sync.mapping_changes import save_mappings
from tests.conftest import identity_with_role
from tests.core.sync.test_lists import EVERYTHING, map_site, one_way, sync  # noqa: F401 - the fixture

ALL_LISTS = (Entity.JOB_SITE, Entity.COMPANY, Entity.EMPLOYEE, Entity.PAY_CLASS, Entity.PAY_ID)


@pytest.fixture
def synced(settings: Settings, engine: Engine, one_way: int, admin: Identity) -> int:  # noqa: F811
    sync(settings, engine, one_way, admin, *ALL_LISTS)
    return one_way


def _site(session: Session, number: str) -> int:
    return session.exec(select(JobSite.id).where(JobSite.number == number)).one()  # type: ignore[return-value]


def _project(session: Session, company: int, number: str, name_prefix: str = "") -> int:
    return next(r.procore_id for r in records(session, company_id=company, entity=Entity.JOB_SITE)
                if r.number == number and r.name.startswith(name_prefix))


def _linked_numbers(session: Session, company: int, entity: Entity) -> dict[int, int]:
    return {i: ln.procore_id for i, ln in links_by_local(session, entity=entity, company_id=company).items()}


def test_auto_map_maps_equal_numbers_and_leaves_ambiguous_and_missing(
    session: Session, synced: int, admin: Identity
) -> None:
    report = auto_mapping.auto_map(session, company_id=synced, entity=Entity.JOB_SITE, actor=admin)
    assert len(report.mapped) == 6  # 1001-1005 and 1008
    assert report.ambiguous == ["Job site 1006 Canyon Water Treatment: 2 Procore projects are numbered 1006 "
                                "(1006 · Canyon Water Treatment, 1006 · Canyon Water Treatment - Phase 2)"]
    assert report.missing == ["Job site 1007 Bayfront Hotel: no Procore project numbered 1007"]
    assert report.summary().startswith("Auto-map mapped 6 job sites by number")
    links = links_by_local(session, entity=Entity.JOB_SITE, company_id=synced)
    assert links[_site(session, "1001")].procore_id == _project(session, synced, "1001")
    assert links[_site(session, "1001")].origin == LinkOrigin.AUTO
    assert _site(session, "1006") not in links
    assert _site(session, "1007") not in links


def test_auto_map_ignores_case_and_spaces(session: Session, synced: int, admin: Identity) -> None:
    pay_id = session.exec(select(PayID).where(PayID.code == "OT")).one()
    pay_id.code = " ot "
    session.add(pay_id)
    report = auto_mapping.auto_map(session, company_id=synced, entity=Entity.PAY_ID, actor=admin)
    assert len(report.mapped) == 3
    assert report.missing == ["Pay ID TRV Travel: no Procore payroll type numbered TRV"]
    assert pay_id.id in _linked_numbers(session, synced, Entity.PAY_ID)


def test_auto_map_employees_leaves_those_procore_lacks(session: Session, synced: int, admin: Identity) -> None:
    report = auto_mapping.auto_map(session, company_id=synced, entity=Entity.EMPLOYEE, actor=admin)
    assert len(report.mapped) == 36
    assert [m.split(":")[0] for m in report.missing] == [
        f"Employee {n} {name}" for n, name in _employee_names(session, ("10007", "10017", "10027", "10037"))]


def _employee_names(session: Session, numbers: tuple[str, ...]) -> list[tuple[str, str]]:
    from core.models import Employee

    rows = session.exec(select(Employee).where(Employee.number.in_(numbers)).order_by(Employee.number)).all()  # type: ignore[attr-defined]
    return [(e.number, e.full_name) for e in rows]


def test_auto_map_never_overwrites_a_manual_mapping(session: Session, synced: int, admin: Identity) -> None:
    riverside, warehouse = _site(session, "1001"), _project(session, synced, "2001")
    save_mappings(session, company_id=synced, entity=Entity.JOB_SITE, changes={riverside: warehouse},
                  actor=admin)
    report = auto_mapping.auto_map(session, company_id=synced, entity=Entity.JOB_SITE, actor=admin)
    link = links_by_local(session, entity=Entity.JOB_SITE, company_id=synced)[riverside]
    assert (link.procore_id, link.origin) == (warehouse, LinkOrigin.MANUAL)
    assert report.already == 1
    assert len(report.mapped) == 5
    again = auto_mapping.auto_map(session, company_id=synced, entity=Entity.JOB_SITE, actor=admin)
    assert again.mapped == []
    assert again.already == 6


def test_auto_map_leaves_a_match_already_taken_by_hand(session: Session, synced: int, admin: Identity) -> None:
    harbor = _site(session, "1002")
    save_mappings(session, company_id=synced, entity=Entity.JOB_SITE,
                  changes={harbor: _project(session, synced, "1001")}, actor=admin)
    report = auto_mapping.auto_map(session, company_id=synced, entity=Entity.JOB_SITE, actor=admin)
    assert report.taken == ["Job site 1001 Riverside Medical Center: Procore project 1001 · Riverside Medical Center "
                            "is already mapped to job site 1002 Harbor Point Apartments"]


def test_vendors_have_no_number_to_auto_map(session: Session, synced: int, admin: Identity) -> None:
    with pytest.raises(ValidationError, match="no number, so auto-map cannot match them; map them by hand"):
        auto_mapping.auto_map(session, company_id=synced, entity=Entity.COMPANY, actor=admin)


def test_one_procore_project_maps_to_at_most_one_job_site(session: Session, synced: int, admin: Identity) -> None:
    riverside, harbor, project = _site(session, "1001"), _site(session, "1002"), _project(session, synced, "1001")
    save_mappings(session, company_id=synced, entity=Entity.JOB_SITE, changes={riverside: project}, actor=admin)
    with pytest.raises(ValidationError) as refused:
        save_mappings(session, company_id=synced, entity=Entity.JOB_SITE, actor=admin,
                      changes={harbor: project, _site(session, "1003"): _project(session, synced, "1003")})
    assert str(refused.value) == (
        "Procore project 1001 · Riverside Medical Center is already mapped to job site 1001 Riverside Medical Center; "
        "unmap it there first (One Procore project maps to at most one job site, and each job site to one project). "
        "Nothing was saved.")
    assert _linked_numbers(session, synced, Entity.JOB_SITE) == {riverside: project}  # 1003 was not saved either
    with pytest.raises(ValidationError, match="was chosen for job sites 1002 Harbor Point Apartments and 1003"):
        save_mappings(session, company_id=synced, entity=Entity.JOB_SITE, actor=admin,
                      changes={harbor: _project(session, synced, "2001"),
                                       _site(session, "1003"): _project(session, synced, "2001")})


def test_swapping_two_projects_in_one_save_is_allowed(session: Session, synced: int, admin: Identity) -> None:
    a, b = _site(session, "1001"), _site(session, "1002")
    pa, pb = _project(session, synced, "1001"), _project(session, synced, "1002")
    save_mappings(session, company_id=synced, entity=Entity.JOB_SITE, changes={a: pa, b: pb}, actor=admin)
    assert save_mappings(session, company_id=synced, entity=Entity.JOB_SITE, changes={a: pb, b: pa},
                         actor=admin) == 2
    assert _linked_numbers(session, synced, Entity.JOB_SITE) == {a: pb, b: pa}


def test_several_pay_ids_may_share_one_payroll_type(session: Session, synced: int, admin: Identity) -> None:
    ids = {p.code: saved_id(p) for p in session.exec(select(PayID))}
    regular = next(r.procore_id for r in records(session, company_id=synced, entity=Entity.PAY_ID) if r.number == "REG")
    saved = save_mappings(session, company_id=synced, entity=Entity.PAY_ID, actor=admin,
                          changes={ids["REG"]: regular, ids["TRV"]: regular})
    assert saved == 2
    assert _linked_numbers(session, synced, Entity.PAY_ID) == {ids["REG"]: regular, ids["TRV"]: regular}


def test_unknown_or_gone_procore_records_are_refused(session: Session, synced: int, admin: Identity) -> None:
    with pytest.raises(ValidationError, match="is not in the synced list of projects"):
        save_mappings(session, company_id=synced, entity=Entity.JOB_SITE, actor=admin,
                      changes={_site(session, "1001"): 12345})


def test_changing_mappings_needs_the_data_mapping_permission(session: Session, synced: int) -> None:
    viewer = identity_with_role(session, "Viewer")
    riverside, project = _site(session, "1001"), _project(session, synced, "1001")
    with pytest.raises(PermissionDenied, match="Procore Connect data mapping"):
        save_mappings(session, company_id=synced, entity=Entity.JOB_SITE, changes={riverside: project},
                      actor=viewer)
    with pytest.raises(PermissionDenied):
        auto_mapping.auto_map(session, company_id=synced, entity=Entity.JOB_SITE, actor=viewer)
    assert session.exec(select(ProcoreLink)).first() is None
    table = mapping.mapping_table(session, company_id=synced, entity=Entity.JOB_SITE)  # viewing is allowed
    assert set(table.frame["status"]) == {"Not mapped"}


def test_cost_codes_and_classifications_wait_for_a_mapped_project(
    session: Session, synced: int, admin: Identity
) -> None:
    tabs = {t.entity: t for t in mapping.tab_summaries(session, company_id=synced, modules=EVERYTHING)}
    assert list(tabs) == [Entity.COMPANY, Entity.JOB_SITE, Entity.EMPLOYEE, Entity.PAY_CLASS, Entity.COST_CODE,
                          Entity.PAY_ID]
    assert not tabs[Entity.COST_CODE].available
    assert tabs[Entity.COST_CODE].note == ("Cost codes belong to Procore projects: map at least one project on the "
                                           "Projects tab to see cost codes for the mapped projects.")
    assert not tabs[Entity.PAY_CLASS].available
    assert tabs[Entity.JOB_SITE].title == "Projects (8 unmapped)"
    with pytest.raises(ValidationError, match="is not mapped to a job site; map it on the Projects tab first"):
        mapping.mapping_table(session, company_id=synced, entity=Entity.COST_CODE,
                              project_id=_project(session, synced, "1002"))
    with pytest.raises(ValidationError, match="map at least one project"):
        auto_mapping.auto_map(session, company_id=synced, entity=Entity.COST_CODE, actor=admin)


def test_cost_codes_of_a_mapped_project(settings: Settings, engine: Engine, synced: int, admin: Identity) -> None:
    harbor = map_site(engine, synced, "1002", "1002")
    sync(settings, engine, synced, admin, Entity.COST_CODE)
    with Session(engine) as session:
        table = mapping.mapping_table(session, company_id=synced, entity=Entity.COST_CODE, project_id=harbor)
        assert list(table.frame["number"]) == ["01-100", "02-200", "03-300", "05-100", "06-100", "09-250", "26-050",
                                               "31-200", "99-002"]  # standard codes and the site's own
        report = auto_mapping.auto_map(session, company_id=synced, entity=Entity.COST_CODE, actor=admin)
        assert len(report.mapped) == 7
        assert report.missing == [
            "Project 1002 · Harbor Point Apartments: Cost code 26-050 Electrical Rough-In: "
            "no Procore cost code numbered 26-050",
            "Project 1002 · Harbor Point Apartments: Cost code 31-200 Earthwork: no Procore cost code numbered 31-200"]
        tabs = {t.entity: t for t in mapping.tab_summaries(session, company_id=synced, modules=EVERYTHING)}
        assert tabs[Entity.COST_CODE].title == "Cost codes (2 unmapped)"
        assert tabs[Entity.PAY_CLASS].available
        unmapped = mapping.mapping_table(session, company_id=synced, entity=Entity.COST_CODE, project_id=harbor,
                                         unmapped_only=True)
        assert list(unmapped.frame["number"]) == ["26-050", "31-200"]


def test_auto_map_waits_for_the_cost_codes_of_a_project_to_be_synced(
    engine: Engine, synced: int, admin: Identity
) -> None:
    map_site(engine, synced, "1002", "1002")
    with Session(engine) as session:
        report = auto_mapping.auto_map(session, company_id=synced, entity=Entity.COST_CODE, actor=admin)
    assert report.mapped == []
    assert report.missing == []
    assert report.not_synced == ["Project 1002 · Harbor Point Apartments: its cost codes were not synced yet; "
                                 "sync cost codes, then auto-map again"]


def test_remapping_a_project_drops_cost_codes_of_the_old_job_site(
    settings: Settings, engine: Engine, synced: int, admin: Identity
) -> None:
    harbor = map_site(engine, synced, "1002", "1002")
    sync(settings, engine, synced, admin, Entity.COST_CODE)
    with Session(engine) as session:
        auto_mapping.auto_map(session, company_id=synced, entity=Entity.COST_CODE, actor=admin)
        site_code = session.exec(select(CostCode).where(CostCode.code == "99-002")).one()
        save_mappings(session, company_id=synced, entity=Entity.JOB_SITE, actor=admin,
                      changes={_site(session, "1002"): None, _site(session, "1003"): harbor})
        scoped = links_by_local(session, entity=Entity.COST_CODE, company_id=synced, scope_id=harbor)
        assert site_code.id not in scoped
        assert len(scoped) == 6


def test_a_broken_mapping_is_shown_as_broken(
    settings: Settings, engine: Engine, synced: int, admin: Identity, emulator_url: str
) -> None:
    from tests.core.sync.test_lists import control

    with Session(engine) as session:
        auto_mapping.auto_map(session, company_id=synced, entity=Entity.EMPLOYEE, actor=admin)
        session.commit()
    control(emulator_url, "POST", "reset", employees=30)
    sync(settings, engine, synced, admin, Entity.EMPLOYEE)
    with Session(engine) as session:
        table = mapping.mapping_table(session, company_id=synced, entity=Entity.EMPLOYEE)
        row = table.frame[table.frame["number"] == "10040"].iloc[0]
        assert row["status"] == "Broken: the Procore person is no longer in Procore"
        assert row["procore"].endswith("(no longer in Procore)")
        assert row["procore"] in table.options
        tabs = {t.entity: t for t in mapping.tab_summaries(session, company_id=synced, modules=EVERYTHING)}
        assert "broken" in tabs[Entity.EMPLOYEE].title


def test_grid_changes_become_procore_ids(session: Session, synced: int) -> None:
    table = mapping.mapping_table(session, company_id=synced, entity=Entity.JOB_SITE)
    edited = table.frame.copy()
    riverside = _site(session, "1001")
    edited.loc[riverside, "procore"] = "1001 · Riverside Medical Center"
    assert table.changes(edited) == {riverside: _project(session, synced, "1001")}
    edited.loc[riverside, "procore"] = "Somewhere else"
    with pytest.raises(ValidationError, match="'Somewhere else' is not a synced Procore project"):
        table.changes(edited)


def test_command_line_syncs_and_auto_maps_with_a_summary(
    settings: Settings, engine: Engine, one_way: int, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    from core.cli import main

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("EMULATOR_STATE", str(settings.emulator_state))
    monkeypatch.setenv("DEMO_DATA", "false")
    assert main(["mapping", "sync", "--entity", "projects", "--entity", "cost-codes"]) == 0
    synced = capsys.readouterr().out
    assert "Projects: 9 in Procore (9 new, 0 changed, 0 no longer in Procore, 0 back)" in synced
    assert "no mapped project yet: map projects first" in synced
    assert main(["mapping", "auto", "--entity", "projects"]) == 0
    auto = capsys.readouterr().out
    assert "Auto-map mapped 6 job sites by number" in auto
    assert "left to you: Job site 1007 Bayfront Hotel: no Procore project numbered 1007" in auto
    assert main(["mapping", "sync", "--entity", "cost-codes"]) == 0
    assert capsys.readouterr().out.count("Cost codes of project") == 6
    assert main(["mapping", "auto"]) == 0  # every list the modules need; vendors are left to the person
    everything = capsys.readouterr().out
    assert "Auto-mapping cost codes…" in everything
    assert "map them by hand" in everything
