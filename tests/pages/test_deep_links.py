"""Deep links to pages that are off now: each says why and links to the step that turns it on."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from core import access, setup
from core.db import session_scope
from core.models.setup import SyncMode
from core.setup import current
from core.ui.navigation import HOME, PROCORE_SETUP, sections
from tests.pages.conftest import ROOT
from tests.pages.test_automation_page import AUTH
from tests.pages.test_smoke import _finish_setup


def _deep_link(script: str) -> AppTest:
    """The app opened at `script`'s address, as a bookmark would: a new session asking for that page's URL
    (switching before the first run names the page by its address, not by a registered script)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(script).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _said(at: AppTest) -> tuple[str, str, list[tuple[str, str]]]:
    links = [(link.proto.label, link.proto.page) for link in at.get("page_link")]
    return at.title[0].value, at.info[0].value, links


def test_procore_setup_before_activation_sends_to_integrations(app_db: Engine) -> None:
    title, info, links = _said(_deep_link("pages/procore_setup.py"))

    assert title == "Procore setup"
    assert info == "**Procore setup is off.** Procore is not active yet."
    assert links[0] == ("Activate Procore on Integrations", "integrations")
    assert ("See every step on Getting started", "") in links  # the home page is the default: "/"


@pytest.mark.parametrize("script", ["pages/reconciliation.py", "pages/run_history.py", "pages/manpower.py"])
def test_procore_pages_before_setup_is_finished_send_to_procore_setup(app_db: Engine, script: str) -> None:
    with session_scope(app_db) as session:
        current(session).active = True
    title, info, links = _said(_deep_link(script))

    assert info.endswith("Procore setup is not finished: it needs a company, a mode and at least one module.")
    assert links[0] == ("Open Procore setup", "procore_setup")


def test_a_module_page_with_its_module_off_says_which_module(app_db: Engine) -> None:
    _finish_setup(app_db)
    with session_scope(app_db) as session:
        current(session).timecard = False
    title, info, links = _said(_deep_link("pages/timecards.py"))

    assert title == "Timecard"
    assert info == "**Timecard is off.** The Timecard module is off."
    assert links[0] == ("Turn Timecard on in Procore setup", "procore_setup")


def test_data_mapping_in_two_way_mode_points_to_the_import(app_db: Engine) -> None:
    _finish_setup(app_db, SyncMode.TWO_WAY)
    title, info, links = _said(_deep_link("pages/data_mapping.py"))

    assert "uses the two-way integration" in info
    assert links[0] == ("Import on Procore setup", "procore_setup")


def test_payroll_items_in_one_way_mode_points_to_data_mapping(app_db: Engine) -> None:
    _finish_setup(app_db, SyncMode.ONE_WAY)
    title, info, links = _said(_deep_link("pages/payroll_items.py"))

    assert title == "Payroll items"
    assert "one-way integration" in info
    assert links[0] == ("Open Data mapping", "data_mapping")


def test_procore_setup_is_listed_under_getting_started_only_for_who_may_set_up(app_db: Engine) -> None:
    _finish_setup(app_db)
    with session_scope(app_db) as session:
        state = setup.state(session)

    assert sections(state)["Getting started"] == (HOME, PROCORE_SETUP)
    assert sections(state, may_set_up=False)["Getting started"] == (HOME,)
    assert PROCORE_SETUP not in {spec for specs in sections(state, may_set_up=False).values() for spec in specs}


def test_procore_setup_by_deep_link_without_the_permission_says_which_is_needed(
        app_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _finish_setup(app_db)
    monkeypatch.setenv("AUTH", json.dumps(AUTH))
    with session_scope(app_db) as session:
        access.save_user(session, email="pm@example.com", role_name="Project manager",
                         actor=access.local_admin(session))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "pm@example.com"}
    at.switch_page("pages/procore_setup.py").run()

    assert not at.exception
    assert at.error[0].value.startswith("You need the 'Procore setup' permission to open this page.")
