from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from core import access
from core.models import JobSite, TimeLog
from tests.core.publishing.engine_world import Linked
from tests.pages.conftest import ROOT

WEEK = (date(2026, 11, 16), date(2026, 11, 20))


def _live_logs(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(TimeLog).where(TimeLog.deleted_at.is_(None))).one())  # type: ignore[union-attr]


def test_time_logs_page_lists_the_week_and_totals(open_page: Callable[..., AppTest]) -> None:
    at = open_page("pages/time_logs.py", tl_dates=WEEK)
    assert not at.exception
    assert at.title[0].value == "Time logs"
    table = at.dataframe[0].value
    assert len(table) > 50
    assert set(table["date"]) <= {date(2026, 11, d) for d in range(16, 21)}
    assert any("time logs" in m.value and "hours worked" in m.value for m in at.markdown)
    assert at.sidebar.warning[0].value.startswith("Local single-user mode")


def test_filter_by_job_site_shows_only_that_site(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    at = open_page("pages/time_logs.py", tl_dates=WEEK)
    with Session(app_db) as session:
        site = session.exec(select(JobSite).where(JobSite.number == "1003")).one()
    assert "1003 Lakeview School Expansion" in at.multiselect(key="tl_sites").options
    at.multiselect(key="tl_sites").set_value([site.id]).run()
    assert set(at.dataframe[0].value["job_site_number"]) == {"1003"}


def test_edit_a_time_log_through_the_page(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    at = open_page("pages/time_logs.py", tl_dates=WEEK)
    log_id = at.selectbox(key="tl_edit_id").value
    at.number_input[0].set_value(45)
    form_submit = next(b for b in at.button if b.label == "Save changes")
    form_submit.click().run()
    assert not at.exception
    assert at.success[0].value == f"Time log #{log_id} saved."
    with Session(app_db) as session:
        assert session.get(TimeLog, log_id).break_minutes == 45  # type: ignore[union-attr]


def _asking(at: AppTest, log_id: object) -> bool:
    """Is the dialog asking to delete time log `log_id` open?"""
    return any(f"Delete time log #{log_id}?" in warning.value for warning in at.warning)


def test_delete_asks_for_confirmation_then_deletes(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    at = open_page("pages/time_logs.py", tl_dates=WEEK)
    log_id = at.selectbox(key="tl_edit_id").value
    before = _live_logs(app_db)
    at.button(key=f"tl_delete_{log_id}").click().run()
    assert _asking(at, log_id)
    assert _live_logs(app_db) == before
    at.button(key=f"tl_confirm_delete_{log_id}_yes").click().run()
    assert not at.exception
    assert _live_logs(app_db) == before - 1
    assert log_id not in set(at.dataframe[0].value["id"])
    assert at.success[0].value == f"Time log #{log_id} deleted."  # the message outlives the rerun
    assert not _asking(at, log_id)  # the dialog closed


def test_cancelling_a_delete_keeps_the_time_log(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    at = open_page("pages/time_logs.py", tl_dates=WEEK)
    log_id = at.selectbox(key="tl_edit_id").value
    before = _live_logs(app_db)
    at.button(key=f"tl_delete_{log_id}").click().run()
    at.button(key=f"tl_confirm_delete_{log_id}_no").click().run()
    assert not at.exception
    assert not _asking(at, log_id)
    assert _live_logs(app_db) == before
    assert log_id in set(at.dataframe[0].value["id"])


def test_bad_edit_shows_the_reason_and_saves_nothing(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    at = open_page("pages/time_logs.py", tl_dates=WEEK)
    log_id = at.selectbox(key="tl_edit_id").value
    with Session(app_db) as session:
        before = session.get(TimeLog, log_id)
    clock_in_date = next(d for d in at.date_input if d.label == "Clock-in date").value
    assert isinstance(clock_in_date, date)
    next(d for d in at.date_input if d.label == "Clock-out date").set_value(clock_in_date - timedelta(days=2))
    next(b for b in at.button if b.label == "Save changes").click().run()
    assert "clock-out must be after clock-in" in at.error[0].value
    with Session(app_db) as session:
        assert session.get(TimeLog, log_id).clock_in == before.clock_in  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("script", "title", "expected"),
    [
        ("pages/job_sites.py", "Job sites", "Riverside Medical Center"),
        ("pages/employees.py", "Employees", "10001"),
        ("pages/cost_codes.py", "Cost codes", "Standard (all job sites)"),
        ("pages/companies.py", "Companies and crews", "Apex Concrete"),
    ],
)
def test_read_only_lists_show_their_records(
    open_page: Callable[..., AppTest], script: str, title: str, expected: str,
) -> None:
    at = open_page(script)
    assert not at.exception
    assert at.title[0].value == title
    assert expected in at.dataframe[0].value.to_string()
    assert len(at.get("download_button")) >= 1


def test_viewer_is_refused_the_role_permissions_page(app_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH", json.dumps({"client_id": "x", "client_secret": "y", "redirect_uri": "http://localhost/oauth2callback",
                                           "cookie_secret": "z" * 20, "server_metadata_url": "http://localhost/.well-known"}))
    with Session(app_db) as session:
        access.save_user(session, email="viewer@example.com", role_name="Viewer", actor=access.local_admin(session))
        access.save_user(session, email="boss@example.com", role_name="Admin", actor=access.local_admin(session))
        session.commit()
    at = AppTest.from_file(str(ROOT / "pages/role_permissions.py"), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "viewer@example.com"}
    at.run()
    assert "You need the 'Role permissions' permission" in at.error[0].value
    assert not at.data_editor
    admin = AppTest.from_file(str(ROOT / "pages/role_permissions.py"), default_timeout=60)
    admin.user = {"is_logged_in": True, "email": "boss@example.com"}
    admin.run()
    assert not admin.error
    assert admin.title[0].value == "Role permissions"
    assert "Signed in as" in admin.sidebar.caption[0].value


def test_unregistered_person_is_told_to_ask_an_admin(app_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH", json.dumps({"client_id": "x"}))
    at = AppTest.from_file(str(ROOT / "pages/time_logs.py"), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    at.run()
    assert "no access to Procore Connect yet" in at.error[0].value
    assert not at.dataframe


def test_admin_grants_a_permission_on_the_matrix(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    at = open_page("pages/role_permissions.py")
    at.session_state["role_matrix"] = {
        "edited_rows": {2: {"Viewer": True}}, "added_rows": [], "deleted_rows": []  # row 2: Publish to Procore
    }
    at.run()
    next(b for b in at.button if b.label == "Save permissions").click().run()
    assert at.success[0].value == "Role permissions saved."
    with Session(app_db) as session:
        assert access.role_permissions(session, role_name="Viewer") == frozenset({access.Perm.PUBLISH})
    grid = at.dataframe[0].value
    assert len(grid.columns) == 4  # a column per role: the grid fits the page's width
    assert grid.index[2] == "Publish to Procore"


def _calendar_titles(at: AppTest) -> dict[str, str]:
    (element,) = [e for e in at.main if type(e).__name__ == "UnknownElement" and hasattr(e.proto, "json_args")
                  and "events" in e.proto.json_args]
    return {event["id"]: event["title"] for event in json.loads(element.proto.json_args)["events"]}


def test_an_edit_on_time_logs_shows_in_its_summary_and_on_a_dashboard_at_once(
    open_page: Callable[..., AppTest], linked_app: Linked,
) -> None:
    """Regression test for issue 19 (stale totals after a time-log edit until a reload)."""
    dashboard = AppTest.from_file(str(ROOT / "pages/manpower.py"), default_timeout=60)
    dashboard.session_state["manpower_dash_day"] = WEEK[0]
    dashboard.run()
    calendar_before = _calendar_titles(dashboard)
    at = open_page("pages/time_logs.py", tl_dates=WEEK)
    summary_before = next(m.value for m in at.markdown if "hours worked" in m.value)
    breaks = at.number_input[0]
    assert breaks.value is not None
    breaks.set_value(breaks.value + 120)
    next(b for b in at.button if b.label == "Save changes").click().run()
    assert not at.exception
    assert next(m.value for m in at.markdown if "hours worked" in m.value) != summary_before
    dashboard.run()
    assert not dashboard.exception
    assert _calendar_titles(dashboard) != calendar_before
