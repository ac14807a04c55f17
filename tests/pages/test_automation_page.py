"""Administration > Automation: the schedule form per enabled module, its validation, Run now, the permission."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core import access, setup
from core.config import get_settings
from core.db import session_scope
from core.jobs import run_worker
from core.jobs.scheduling import ScheduleInput, run_due_schedules, set_schedule
from core.models.jobs import PublishSchedule
from core.models.publishing import PublishModule
from core.models.setup import SyncMode
from tests.pages.conftest import ROOT

PAGE = "pages/automation.py"
AUTH = {"client_id": "x", "client_secret": "y", "cookie_secret": "z" * 20,
        "redirect_uri": "http://localhost/oauth2callback", "server_metadata_url": "http://localhost/.well-known"}


@pytest.fixture
def manpower_on(app_db: Engine) -> Engine:
    with session_scope(app_db) as session:
        admin = access.local_admin(session)
        setup.set_active(session, active=True, actor=admin)
        setup.set_mode(session, mode=SyncMode.ONE_WAY, actor=admin)
        setup.set_modules(session, modules=frozenset({PublishModule.MANPOWER}), actor=admin)
    return app_db


def admin(engine: Engine) -> access.Identity:
    with Session(engine) as session:
        return access.local_admin(session)


def stored(engine: Engine) -> tuple[bool, int | None, str | None, int, bool] | None:
    with Session(engine) as session:
        row = session.get(PublishSchedule, PublishModule.MANPOWER.value)
        return None if row is None else (row.active, row.every_hours, row.daily_at, row.days_back, row.approved_only)


def test_an_admin_sets_a_daily_schedule_and_sees_its_next_run(manpower_on: Engine,
                                                              open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE)
    assert not at.exception
    assert [header.value for header in at.subheader] == ["Manpower (daily log manpower)"]
    assert at.markdown[0].value == "**Off**"
    at.radio(key="automation_manpower_runs").set_value("Daily at")
    at.text_input(key="automation_manpower_daily").set_value("02:30")
    at.number_input(key="automation_manpower_days").set_value(5)
    at.checkbox(key="automation_manpower_approved").check()
    at.button[0].click().run()

    assert not at.exception
    assert stored(manpower_on) == (True, None, "02:30", 5, True)
    assert at.success[0].value == "Schedule saved."
    assert any(text.value.startswith("**Daily at 02:30 (America/") for text in at.markdown)
    assert any(caption.value.startswith("Next run: ") and " 02:30 (America/" in caption.value
               for caption in at.caption)


def test_a_bad_time_is_refused_with_what_to_give_and_changes_nothing(manpower_on: Engine,
                                                                     open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE)
    at.radio(key="automation_manpower_runs").set_value("Daily at")
    at.text_input(key="automation_manpower_daily").set_value("25:00")
    at.button[0].click().run()

    assert "--daily takes a time of day like 02:00 (00:00 to 23:59); not '25:00'." in at.error[0].value
    assert stored(manpower_on) is None
    assert at.markdown[0].value == "**Off**"


def test_run_now_queues_the_scheduled_run(manpower_on: Engine, open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE)
    at.radio(key="automation_manpower_runs").set_value("Every N hours")
    at.button[0].click().run()
    assert stored(manpower_on) == (True, 2, None, 7, False)

    at.button(key="automation_manpower_run_now").click().run()

    assert not at.exception
    assert at.success[0].value.startswith("Queued: job ")


def test_a_role_without_automation_sees_why_and_no_form(manpower_on: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH", json.dumps(AUTH))
    with session_scope(manpower_on) as session:
        access.save_user(session, email="pm@example.com", role_name="Project manager",
                         actor=access.local_admin(session))
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "pm@example.com"}
    at.run()

    assert "You need the 'Automation' permission to open this page. Your role is Project manager" \
        in at.error[0].value
    assert not at.radio
    assert [button.label for button in at.button] == ["Sign out"]  # the sidebar's, nothing of the page
    assert stored(manpower_on) is None


def test_the_digest_groups_the_last_scheduled_runs_problems_with_a_link_to_fix_them(
        manpower_on: Engine, open_page: Callable[..., AppTest]) -> None:
    set_schedule(manpower_on, ScheduleInput("manpower", every="1h", days_back=1), actor=admin(manpower_on))
    for hour in (8, 10):  # two scheduled runs; Procore was never connected, so both fail before sending anything
        run_due_schedules(get_settings(), manpower_on, now=datetime(2026, 11, 16, hour, tzinfo=UTC))
        run_worker(get_settings(), until_idle=True)

    at = open_page(PAGE)

    assert at.expander[0].label == "Problems of the last scheduled runs (2)"
    assert [text.value for text in at.markdown if text.value.startswith("- ")] == [
        "- Procore is not set up yet: finish Administration > Procore setup first. (2)"]
    assert "Fix on Procore setup: find Procore setup in the sidebar." in [caption.value for caption in at.caption]
