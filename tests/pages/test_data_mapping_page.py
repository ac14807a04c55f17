from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core import access, setup
from core.access import local_admin
from core.config import get_settings
from core.db import session_scope
from core.models import JobSite
from core.models.mapping import Entity, LinkOrigin, ProcoreLink
from core.models.setup import SyncMode
from core.setup import Module
from core.sync import auto_mapping
from core.sync.links import links_by_local
from core.sync.lists import records, sync_from_procore
from core.sync.mapping_changes import save_mappings
from tests.pages.conftest import ROOT
from tests.pages.test_procore_setup_page import _activate, _connect

PAGE = "pages/data_mapping.py"
GRID = "data_mapping_grid_job_site"


def _one_way(engine: Engine, *, mode: SyncMode = SyncMode.ONE_WAY, synced: bool = True) -> int:
    _activate(engine)
    company = _connect(engine, choose_company=True)
    with session_scope(engine) as session:
        admin = local_admin(session)
        setup.set_mode(session, mode=mode, actor=admin)
        setup.set_modules(session, modules=frozenset({Module.MANPOWER, Module.TIMECARD}), actor=admin)
    if synced:
        sync_from_procore(get_settings(), engine, company_id=company, actor=admin,
                          entities=[Entity.JOB_SITE, Entity.COMPANY, Entity.EMPLOYEE])
    return company


def _site(engine: Engine, number: str) -> int:
    with Session(engine) as session:
        return int(session.exec(select(JobSite.id).where(JobSite.number == number)).one())  # type: ignore[arg-type]


def _project(engine: Engine, company: int, number: str) -> int:
    with Session(engine) as session:
        return next(r.procore_id for r in records(session, company_id=company, entity=Entity.JOB_SITE)
                    if r.number == number)


def _links(engine: Engine, company: int) -> dict[int, ProcoreLink]:
    with Session(engine) as session:
        return links_by_local(session, entity=Entity.JOB_SITE, company_id=company)


def _button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def _expander(at: AppTest, title: str):  # type: ignore[no-untyped-def]
    return next(e for e in at.expander if e.label.startswith(title))


def _edit(at: AppTest, key: str, row_number: str, label: str) -> AppTest:
    """Choose `label` in the Procore column of the row with `row_number`, as the grid would send it."""
    frame = at.data_editor(key=key).value
    position = list(frame["number"]).index(row_number)
    at.session_state[key] = {"edited_rows": {position: {"procore": label}}, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_before_setup_is_finished_the_page_says_what_to_do(open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE)
    assert not at.exception
    assert "Procore setup is not finished" in at.info[0].value


def test_two_way_mode_explains_that_import_maps_and_shows_nothing_editable(
    open_page: Callable[..., AppTest], app_db: Engine
) -> None:
    _one_way(app_db, mode=SyncMode.TWO_WAY, synced=False)
    at = open_page(PAGE)
    assert not at.exception
    assert "two-way integration" in at.info[0].value
    assert "Payroll items" in at.info[0].value
    assert not at.data_editor
    assert not at.button
    assert not at.tabs


def test_tabs_follow_the_modules_with_unmapped_counts(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    _one_way(app_db)
    at = open_page(PAGE)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Vendors (5 unmapped)", "Projects (8 unmapped)", "Employees (40 unmapped)",
                                          "Classifications", "Cost codes", "Payroll types (4 unmapped)"]
    assert "Procore vendors have no number" in at.caption[1].value  # vendors: no auto-map, said so
    assert not [b for b in at.button if b.label == "Auto-map"]


def test_cost_codes_wait_for_a_mapped_project(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    _one_way(app_db)
    at = open_page(PAGE, data_mapping_entity="cost_code")
    assert not at.exception
    assert ("Cost codes belong to Procore projects: map at least one project on the Projects tab to see cost codes "
            "for the mapped projects.") in [i.value for i in at.info]
    assert not at.data_editor

    _button(at, "Sync cost codes").click().run()  # nothing to sync them for: amber, with what to do

    assert not at.exception
    assert not at.success
    assert "Sync of cost codes: 1 list not synced." in [w.value for w in at.warning]
    assert "- Cost codes: no mapped project yet: map projects first (1)" in [m.value for m in at.markdown]


def test_cost_codes_are_mapped_per_mapped_project(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    company = _one_way(app_db)
    with session_scope(app_db) as session:
        save_mappings(session, company_id=company, entity=Entity.JOB_SITE, actor=local_admin(session),
                      changes={_site(app_db, "1002"): _project(app_db, company, "1002")})
    at = open_page(PAGE, data_mapping_entity="cost_code")
    assert at.selectbox(key="data_mapping_project").options == ["1002 · Harbor Point Apartments"]
    _button(at, "Sync cost codes").click().run()
    assert at.success[0].value == "Sync of cost codes: 8 records created."
    assert "Cost codes of project 1002 · Harbor Point Apartments: 8 in Procore" in \
        _expander(at, "Details (1)").markdown[0].value
    _button(at, "Auto-map").click().run()
    assert not at.exception
    assert at.tabs[4].label == "Cost codes (2 unmapped)"
    grid = at.data_editor(key=f"data_mapping_grid_cost_code_{_project(app_db, company, '1002')}").value
    assert grid.set_index("number").loc["03-300", "procore"] == "03-300 · Cast-in-Place Concrete"
    assert grid.set_index("number").loc["26-050", "status"] == "Not mapped"


def test_sync_and_auto_map_buttons(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    _one_way(app_db, synced=False)
    at = open_page(PAGE, data_mapping_entity="job_site")
    assert "No Procore projects here yet" in at.info[0].value
    _button(at, "Sync projects").click().run()
    assert not at.exception
    assert at.success[0].value == "Sync of projects: 9 records created."
    assert "Projects: 9 in Procore (9 new" in _expander(at, "Details (1)").markdown[0].value
    _button(at, "Auto-map").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Auto-map mapped 6 job sites by number")
    left = _expander(at, "Left to map by hand").markdown[0].value
    assert "Job site 1006 Canyon Water Treatment: 2 Procore projects are numbered 1006" in left
    assert "Job site 1007 Bayfront Hotel: no Procore project numbered 1007" in left
    assert at.tabs[1].label == "Projects (2 unmapped)"


def test_a_grid_edit_is_saved(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    company = _one_way(app_db)
    at = open_page(PAGE, data_mapping_entity="job_site")
    _edit(at, GRID, "1006", "1006 · Canyon Water Treatment - Phase 2")
    _button(at, "Save changes").click().run()
    assert not at.exception
    assert not at.error
    assert at.success[0].value == "Saved 1 mapping change."
    then = _expander(at, "Then, for the newly mapped projects (2)").markdown[0].value  # cost codes, pay classes
    assert then.startswith("- Auto-map mapped 0 cost codes by number")
    assert then.endswith("; 1 projects' cost codes not synced yet.\n- Auto-map mapped 0 pay classes by number (0 were "
                         "already mapped and kept); 6 left to map by hand (0 ambiguous, 6 without a Procore match, 0 "
                         "whose match is mapped to another pay class).")
    link = _links(app_db, company)[_site(app_db, "1006")]
    assert (link.procore_id, link.origin) == (_project_named(app_db, company, "Phase 2"), LinkOrigin.MANUAL)
    shown = at.data_editor(key=GRID).value
    assert shown.loc[_site(app_db, "1006"), "procore"] == "1006 · Canyon Water Treatment - Phase 2"
    assert at.tabs[1].label == "Projects (7 unmapped)"


def _project_named(engine: Engine, company: int, suffix: str) -> int:
    with Session(engine) as session:
        return next(r.procore_id for r in records(session, company_id=company, entity=Entity.JOB_SITE)
                    if r.name.endswith(suffix))


def test_a_procore_project_already_mapped_to_another_job_site_is_refused(
    open_page: Callable[..., AppTest], app_db: Engine
) -> None:
    company = _one_way(app_db)
    with session_scope(app_db) as session:
        save_mappings(session, company_id=company, entity=Entity.JOB_SITE, actor=local_admin(session),
                      changes={_site(app_db, "1001"): _project(app_db, company, "1001")})
    at = open_page(PAGE, data_mapping_entity="job_site")
    _edit(at, GRID, "1002", "1001 · Riverside Medical Center")
    _button(at, "Save changes").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Procore project 1001 · Riverside Medical Center is already mapped to job "
                                        "site 1001 Riverside Medical Center; unmap it there first")
    assert set(_links(app_db, company)) == {_site(app_db, "1001")}


def test_the_unmapped_filter_keeps_rows_that_need_mapping(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    company = _one_way(app_db)
    with session_scope(app_db) as session:
        auto_mapping.auto_map(session, company_id=company, entity=Entity.JOB_SITE, actor=local_admin(session))
    at = open_page(PAGE, data_mapping_entity="job_site")
    at.toggle(key="data_mapping_unmapped_job_site").set_value(True).run()
    assert list(at.data_editor(key=GRID + "_unmapped").value["number"]) == ["1006", "1007"]


def test_a_viewer_sees_the_mappings_but_cannot_change_them(
    app_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    company = _one_way(app_db)
    monkeypatch.setenv("AUTH", json.dumps({"client_id": "x", "client_secret": "y", "cookie_secret": "z" * 20,
                                           "redirect_uri": "http://localhost/oauth2callback",
                                           "server_metadata_url": "http://localhost/.well-known"}))
    with session_scope(app_db) as session:
        access.save_user(session, email="viewer@example.com", role_name="Viewer", actor=access.local_admin(session))
        auto_mapping.auto_map(session, company_id=company, entity=Entity.JOB_SITE, actor=local_admin(session))
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "viewer@example.com"}
    at.session_state["data_mapping_entity"] = "job_site"
    at.run()
    assert not at.exception
    assert "need the 'Procore Connect data mapping' permission" in at.info[0].value
    assert not at.data_editor  # a read-only table instead of the grid
    assert "1001 · Riverside Medical Center" in at.dataframe[0].value.to_string()
    assert _button(at, "Sync projects").disabled
    assert _button(at, "Auto-map").disabled
    assert not [b for b in at.button if b.label == "Save changes"]



def _company_links(engine: Engine, company: int) -> dict[int, ProcoreLink]:
    with Session(engine) as session:
        return links_by_local(session, entity=Entity.COMPANY, company_id=company)


def _suggestions(at: AppTest) -> list[str]:
    return [m.value for m in _expander(at, "Suggestions").markdown]


def _accept_key(at: AppTest, starts: str) -> str:
    """The Accept button's key of the suggestion whose line starts with `starts`."""
    position = next(i for i, line in enumerate(_suggestions(at)) if line.startswith(starts))
    return str([b for b in at.button if b.label == "Accept"][position].key)


def test_vendor_apx_is_suggested_by_abbreviation_and_nothing_is_mapped_without_acceptance(
    open_page: Callable[..., AppTest], app_db: Engine
) -> None:
    company = _one_way(app_db)
    at = open_page(PAGE, data_mapping_entity="company")

    assert not at.exception
    assert "APX Apex Concrete → **Apex Concrete (APX)** · by abbreviation and name · 100% sure" in _suggestions(at)
    assert _company_links(app_db, company) == {}
    assert at.tabs[0].label == "Vendors (5 unmapped)"


def test_accepting_one_suggestion_maps_only_it_and_says_so(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    company = _one_way(app_db)
    at = open_page(PAGE, data_mapping_entity="company")

    at.button(key=_accept_key(at, "APX ")).click().run()

    assert not at.exception
    assert at.success[0].value == "Mapped 1 suggestion."
    assert _expander(at, "What was mapped").markdown[0].value == (
        "- mapped Company APX Apex Concrete → Apex Concrete (APX) (by abbreviation and name, 100%)")
    (link,) = _company_links(app_db, company).values()
    assert at.tabs[0].label == "Vendors (4 unmapped)"
    assert not any(line.startswith("APX ") for line in _suggestions(at))
    assert link.procore_id


def test_accepting_above_a_threshold_maps_only_the_surer_suggestions(
    open_page: Callable[..., AppTest], app_db: Engine
) -> None:
    company = _one_way(app_db)
    with session_scope(app_db) as session:  # a name spelled differently here: a less sure suggestion
        session.get_one(JobSite, _site(app_db, "1001")).name = "Riverside Med. Centre"
    at = open_page(PAGE, data_mapping_entity="job_site")
    shown = _suggestions(at)
    unsure = [line for line in shown if not line.endswith("· 100% sure")]
    assert [line.split(" → ")[0] for line in unsure] == ["1001 Riverside Med. Centre"]

    at.slider(key="data_mapping_threshold_job_site").set_value(1.0).run()
    _button(at, f"Accept {len(shown) - 1} at or above 100%").click().run()

    assert not at.exception
    assert at.success[0].value == f"Mapped {len(shown) - 1} suggestions."
    assert set(_links(app_db, company)) == {_site(app_db, n) for n in ("1002", "1003", "1004", "1005", "1006", "1008")}
    assert _suggestions(at) == unsure


def test_accepting_a_project_auto_maps_its_cost_codes_and_says_what_it_did(
    open_page: Callable[..., AppTest], app_db: Engine
) -> None:
    company = _one_way(app_db)
    site, project = _site(app_db, "1002"), _project(app_db, company, "1002")
    with session_scope(app_db) as session:  # the project's cost codes synced once, while it was mapped before
        save_mappings(session, company_id=company, entity=Entity.JOB_SITE, actor=local_admin(session),
                      changes={site: project})
    sync_from_procore(get_settings(), app_db, company_id=company, actor=_admin(app_db), entities=[Entity.COST_CODE])
    with session_scope(app_db) as session:
        save_mappings(session, company_id=company, entity=Entity.JOB_SITE, actor=local_admin(session),
                      changes={site: None})
    at = open_page(PAGE, data_mapping_entity="job_site")

    at.button(key=_accept_key(at, "1002 ")).click().run()

    assert not at.exception
    assert at.success[0].value == "Mapped 1 suggestion."
    lines = _expander(at, "What was mapped").markdown[0].value.splitlines()
    assert lines[0] == "- mapped Job site 1002 Harbor Point Apartments → 1002 · Harbor Point Apartments (by name, 100%)"
    assert lines[1].startswith("- then Auto-map mapped 7 cost codes by number")
    assert lines[2].startswith("- then Auto-map mapped 0 pay classes by number")
    assert at.tabs[4].label == "Cost codes (2 unmapped)"


def _admin(engine: Engine) -> access.Identity:
    with Session(engine) as session:
        return local_admin(session)
