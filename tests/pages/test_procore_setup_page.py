from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core import setup
from core.access import local_admin
from core.config import get_settings
from core.db import session_scope
from core.models.setup import SyncMode
from core.procore.authorization import complete_authorization
from core.procore.connection import select_company
from core.procore.endpoints import resolve_endpoints
from core.setup import Module
from tests.core.procore.conftest import SETUP_ADMIN, browser_sign_in

PAGE = "pages/procore_setup.py"


def _activate(engine: Engine) -> None:
    with session_scope(engine) as session:
        setup.set_active(session, active=True, actor=local_admin(session))


def _connect(engine: Engine, *, choose_company: bool) -> int:
    settings = get_settings()
    url = resolve_endpoints(settings).api_url
    main = int(httpx.get(f"{url}/_emulator/world", timeout=10).json()["companies"]["main"])
    complete_authorization(settings, engine, query=browser_sign_in(settings, engine), actor=SETUP_ADMIN)
    if choose_company:
        select_company(settings, engine, company_id=main, company_name="Northwind Builders")
    return main


def test_inactive_procore_points_to_integrations(open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE)
    assert not at.exception
    assert "Procore is not active" in at.info[0].value


def test_not_connected_shows_the_authorize_link_to_procore(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    _activate(app_db)
    at = open_page(PAGE)
    link = next(m.value for m in at.markdown if "procore-authorize" in m.value)
    assert "/oauth/authorize?" in link
    assert "client_id=procore-connect-demo" in link
    assert "state=" in link
    assert not at.selectbox  # nothing to choose before connecting


def test_connected_shows_the_connection_and_the_companies(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    _activate(app_db)
    _connect(app_db, choose_company=False)
    at = open_page(PAGE)
    assert not at.exception
    assert not at.error, at.error[0].value
    shown = at.table[0].value.to_string()
    assert "Built-in emulator" in shown
    assert "not chosen yet" in shown
    assert "Jordan Avery" in shown
    assert "Northwind Builders" in at.selectbox(key="procore_company").options
    assert not at.radio  # mode comes after the company


def test_choosing_a_company_stores_it(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    _activate(app_db)
    main = _connect(app_db, choose_company=False)
    at = open_page(PAGE)
    at.selectbox(key="procore_company").set_value(main).run()
    next(b for b in at.button if b.label == "Use this company").click().run()
    assert not at.exception
    with Session(app_db) as session:
        assert setup.state(session).company_id == main
    assert at.radio(key="procore_mode")


@pytest.mark.parametrize("mode", [SyncMode.TWO_WAY, SyncMode.ONE_WAY])
def test_mode_is_saved_and_import_only_shows_for_two_way(
    open_page: Callable[..., AppTest], app_db: Engine, mode: SyncMode,
) -> None:
    _activate(app_db)
    _connect(app_db, choose_company=True)
    at = open_page(PAGE)
    at.radio(key="procore_mode").set_value(mode).run()
    with Session(app_db) as session:
        assert setup.state(session).mode is mode
    headers = [h.value for h in at.header]
    assert ("5. Import from Procore" in headers) is (mode is SyncMode.TWO_WAY)


def _timecard_then_timesheet(open_page: Callable[..., AppTest], app_db: Engine) -> AppTest:
    """A connected two-way setup where Timecard was ticked, then Timesheet."""
    _activate(app_db)
    _connect(app_db, choose_company=True)
    at = open_page(PAGE, procore_mode=SyncMode.TWO_WAY)
    at.radio(key="procore_mode").set_value(SyncMode.TWO_WAY).run()
    at.checkbox(key="procore_module_timecard").check().run()
    return at.checkbox(key="procore_module_timesheet").check().run()


def test_timecard_and_timesheet_exclude_each_other(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    at = _timecard_then_timesheet(open_page, app_db)
    assert not at.exception
    with Session(app_db) as session:
        assert setup.state(session).modules == frozenset({Module.TIMESHEET})
    assert at.checkbox(key="procore_module_timecard").value is False
    assert any("Timecard was turned off" in t.value for t in at.toast)
    assert "cannot both be on" in at.caption[0].value
    assert "Setup is finished" in at.success[0].value


def test_a_box_the_browser_sends_back_ticked_shows_the_saved_setup(
    open_page: Callable[..., AppTest], app_db: Engine
) -> None:
    """A run the next click cut short never drew the boxes: the browser still holds Timecard ticked after
    Timesheet turned it off, and sends that back. The next run shows what is saved, whatever came back."""
    at = _timecard_then_timesheet(open_page, app_db)
    at.session_state["procore_module_timecard"] = True  # the browser's own, stale value

    at.run()

    assert not at.exception
    assert at.checkbox(key="procore_module_timecard").value is False
    assert at.checkbox(key="procore_module_timesheet").value is True
    with Session(app_db) as session:
        assert setup.state(session).modules == frozenset({Module.TIMESHEET})


def test_import_from_the_page_reports_what_it_did(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    _activate(app_db)
    _connect(app_db, choose_company=True)
    with session_scope(app_db) as session:
        setup.set_mode(session, mode=SyncMode.TWO_WAY, actor=local_admin(session))
    at = open_page(PAGE)
    at.button(key="import_preview_go").click().run()
    assert not at.exception
    assert at.status[0].label == "Preview ready"
    at.button(key="import_apply_all").click().run()
    assert not at.exception
    # Two records could not be imported: amber, with counts per outcome and each reason with its count.
    assert not at.success
    assert ("Import applied: 11 records created, 43 records updated, 65 records linked, 18 records unchanged, "
            "2 records skipped.") in [w.value for w in at.warning]
    assert [m.value for m in at.markdown if m.value.startswith("- ")] == [
        "- Wes Vargas: no employee ID in Procore (1)",
        "- project Canyon Water Treatment - Phase 2: number 1006 is already linked to another project (1)"]
    report = at.dataframe[-1].value
    rows = {r["list"]: r for r in report.to_dict("records")} if hasattr(report, "to_dict") else {}
    assert rows["job sites"]["created"] == 1
    assert rows["employees"]["created"] == 2
    assert "already linked to another project" in rows["job sites"]["reasons"]


def _redirect_params(location: str) -> dict[str, str]:
    from urllib.parse import parse_qs, urlsplit

    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def _app_with_redirect(params: dict[str, str]) -> AppTest:
    from tests.pages.conftest import ROOT

    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_wrong_state_is_refused_and_nothing_is_stored(app_db: Engine) -> None:
    _activate(app_db)
    params = _redirect_params(browser_sign_in(get_settings(), app_db))
    at = _app_with_redirect({**params, "state": "forged-state"})
    assert "Procore was not connected" in at.error[0].value
    with Session(app_db) as session:
        assert setup.connection(session) is None


def test_reused_redirect_is_refused(app_db: Engine) -> None:
    _activate(app_db)
    params = _redirect_params(browser_sign_in(get_settings(), app_db))
    first = _app_with_redirect(params)
    assert "Connected to Procore" in first.success[0].value
    again = _app_with_redirect(params)
    assert "Procore was not connected" in again.error[0].value
    assert "already used" in again.error[0].value or "used" in again.error[0].value


def test_disconnect_revokes_the_token_at_procore(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    from core.procore.encryption import cipher_from_settings
    from core.procore.token_store import TokenStore

    _activate(app_db)
    company = _connect(app_db, choose_company=True)
    settings = get_settings()
    stored = TokenStore(engine=app_db, cipher=cipher_from_settings(settings)).load()
    assert stored is not None
    url = resolve_endpoints(settings).api_url
    headers = {"Authorization": f"Bearer {stored.token['access_token']}", "Procore-Company-Id": str(company)}
    assert httpx.get(f"{url}/rest/v1.0/me", headers=headers, timeout=10).status_code == 200
    at = open_page(PAGE)
    at.button(key="procore_disconnect").click().run()
    assert httpx.get(f"{url}/rest/v1.0/me", headers=headers, timeout=10).status_code == 200  # it asks first
    assert any("revokes Procore Connect's access" in w.value for w in at.warning)
    at.button(key="procore_confirm_disconnect_yes").click().run()
    assert not at.exception
    assert httpx.get(f"{url}/rest/v1.0/me", headers=headers, timeout=10).status_code == 401
    with Session(app_db) as session:
        assert setup.connection(session) is None
    assert any("procore-authorize" in m.value for m in at.markdown)
    assert at.info[0].value == "Disconnected from Procore."


def test_cancelling_disconnect_keeps_the_connection(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    _activate(app_db)
    _connect(app_db, choose_company=True)
    at = open_page(PAGE)
    at.button(key="procore_disconnect").click().run()
    at.button(key="procore_confirm_disconnect_no").click().run()
    assert not at.exception
    assert not any("revokes Procore Connect's access" in w.value for w in at.warning)
    with Session(app_db) as session:
        assert setup.connection(session) is not None


def test_expired_code_gives_a_plain_message_and_stores_nothing(app_db: Engine) -> None:
    import sqlite3

    _activate(app_db)
    settings = get_settings()
    params = _redirect_params(browser_sign_in(settings, app_db))
    assert settings.emulator_state is not None
    with sqlite3.connect(settings.emulator_state) as procore:  # ten minutes pass at Procore
        procore.execute("UPDATE codes SET created_at = created_at - 601")
    at = _app_with_redirect(params)
    message = at.error[0].value
    assert message.startswith("Procore was not connected: Procore refused the sign-in code")
    assert "10 minutes" in message
    assert "Reconnect Procore" in message
    with Session(app_db) as session:
        assert setup.connection(session) is None


def _company_list_reads(url: str) -> int:
    return int(httpx.get(f"{url}/_emulator/stats", timeout=10).json()["requests"].get("GET /rest/v1.0/companies", 0))


def test_the_company_list_is_read_from_procore_once_not_on_every_rerun(
    open_page: Callable[..., AppTest], app_db: Engine
) -> None:
    _activate(app_db)
    main = _connect(app_db, choose_company=False)
    url = resolve_endpoints(get_settings()).api_url
    httpx.delete(f"{url}/_emulator/stats", timeout=10)
    at = open_page(PAGE)
    at.run()
    at.run()
    assert _company_list_reads(url) == 1
    at.selectbox(key="procore_company").set_value(main).run()
    next(b for b in at.button if b.label == "Use this company").click().run()
    assert not at.exception
    assert at.success[0].value == "Connected company: Northwind Builders."
    # choosing checks the list at Procore, and the cached list is dropped so the page reads it afresh
    assert _company_list_reads(url) == 3


def test_the_connection_table_has_no_empty_header_row(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    _activate(app_db)
    _connect(app_db, choose_company=False)
    at = open_page(PAGE)
    assert at.table[0].proto.hide_header  # the rows name themselves (Procore user, Environment…)


def test_one_way_setup_says_what_is_left_to_map_instead_of_finished(
    open_page: Callable[..., AppTest], app_db: Engine,
) -> None:
    _activate(app_db)
    _connect(app_db, choose_company=True)
    at = open_page(PAGE)
    at.radio(key="procore_mode").set_value(SyncMode.ONE_WAY).run()
    at.checkbox(key="procore_module_manpower").check().run()

    assert not at.exception
    assert not any("Setup is finished" in s.value for s in at.success)
    (left,) = [w.value for w in at.warning if "map your records to Procore" in w.value]
    assert "Still to map: " in left
    assert "Projects: 8 not mapped" in left  # the demo's eight job sites
    assert any("Data mapping" in caption.value for caption in at.caption)  # alone, the link names the page
