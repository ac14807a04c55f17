"""The Payroll page: the board's columns and cards, moving a card, publishing a week, the export."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core import access, setup
from core.access import Perm, local_admin
from core.config import get_settings
from core.db import session_scope
from core.jobs import jobs
from core.models.payroll import BoardColumn
from core.models.publishing import PublishModule
from core.models.setup import SyncMode
from core.payroll.board import move_card
from core.payroll.weeks import board_opening_week
from core.procore.connection import open_client
from core.sync.importer import run_import
from core.ui.payroll_board import CONFIRM, NOT_QUEUED, PendingMove
from tests.pages.conftest import ROOT
from tests.pages.test_procore_setup_page import _activate, _connect
from tests.pages.workers import TestWorker

PAGE = "pages/payroll.py"
_AUTH = {"client_id": "x", "client_secret": "y", "redirect_uri": "http://localhost/oauth2callback",
         "cookie_secret": "z" * 20, "server_metadata_url": "http://localhost/.well-known"}
WEEK = date(2026, 11, 16)


def _timesheets(engine: Engine) -> None:
    """Two-way setup with the Timesheet module, imported from the emulator."""
    _activate(engine)
    company = _connect(engine, choose_company=True)
    with session_scope(engine) as session:
        admin = local_admin(session)
        setup.set_mode(session, mode=SyncMode.TWO_WAY, actor=admin)
        setup.set_modules(session, modules=frozenset({PublishModule.TIMESHEET}), actor=admin)
    with open_client(get_settings(), engine, sleep=lambda _s: None) as client:
        run_import(get_settings(), engine, actor=admin, company_id=company, client=client)


def _headers(at: AppTest) -> list[str]:
    return [header.value for header in at.subheader]


def _card_text(at: AppTest, number: str) -> str:
    return " ".join(m.value for m in at.markdown if number in m.value)


def _board_with_worker(app_db: Engine, open_page: Callable[..., AppTest]) -> tuple[TestWorker, AppTest]:
    """The board of WEEK with the Timesheet module on and a worker present to take the queued publishes."""
    _timesheets(app_db)
    worker = TestWorker(get_settings())
    worker.present()
    return worker, open_page(PAGE, payroll_week=WEEK)


def _move_straight_to_publish(at: AppTest) -> None:
    """Card 1001's control: To do straight to Publish, which skips two columns and so asks first."""
    at.selectbox(key="payroll_move_1").select_index(2).run()  # from To do: In review, Approved, Publish
    at.button(key="payroll_go_1").click().run()


def _question(at: AppTest) -> str:
    return next((m.value for m in at.markdown if m.value.startswith("Move ")), "")


def test_without_procore_the_board_has_three_columns_and_the_export(open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE, payroll_week=WEEK)

    assert not at.exception
    headers = _headers(at)
    assert headers[:3] == ["To do (8)", "In review (0)", "Approved (0)"]
    assert "Payroll export" in headers
    assert not any(h.startswith("Publish") for h in headers)
    assert "Enable the Timesheet module" in at.caption[0].value
    assert at.dataframe[0].value["hours"].sum() > 0


def test_moving_a_card_to_publish_queues_its_week_and_a_worker_publishes_it(
    app_db: Engine, open_page: Callable[..., AppTest]
) -> None:
    worker, at = _board_with_worker(app_db, open_page)
    assert _headers(at)[:4] == ["To do (8)", "In review (0)", "Approved (0)", "Publish (0)"]

    _move_straight_to_publish(at)
    at.button(key="payroll_confirm_yes").click().run()

    assert not at.exception
    assert at.success[0].value == ("1001 Riverside Medical Center to Publish: 1 card moved. "
                                   "Its week is queued for Procore.")
    assert any(m.value.startswith("**#1 Publish · 16 Nov – 22 Nov 2026 · ") and " · queued · " in m.value
               for m in at.markdown)
    assert "Publish (1)" in _headers(at)
    assert "Published" not in _card_text(at, "badge")  # nothing sent in the page's run

    worker.drain()
    at.run()

    assert not at.exception
    ended = [*at.success, *at.warning]  # green only when every entry went (some of 1001's are Non publishable)
    assert any(e.value.startswith("#1 Publish · 16 Nov – 22 Nov 2026 · ") and "created" in e.value for e in ended)
    headers = _headers(at)
    assert "Publish (1)" in headers
    assert "To do (7)" in headers
    assert "Published" in _card_text(at, "badge")
    errors = next(e for e in at.expander if e.label.startswith("Errors ("))
    assert errors.label == "Errors (14)"  # 1001's Non publishable entries
    text = " ".join(m.value for m in errors.markdown)
    # each reason once with its count (7 of the entries are Elena Lewis's), not a line per entry
    assert text.count("Elena Lewis is not linked to a Procore person") == 1
    assert "Procore person (two-way mode: create it in Procore and run the import on Administration > Procore " \
           "setup) (7" in text
    assert text.count("Cost code 31-200 Earthwork is not mapped") == 1


def test_with_no_worker_running_a_card_stays_and_nothing_is_queued(
    app_db: Engine, open_page: Callable[..., AppTest]
) -> None:
    _timesheets(app_db)
    at = open_page(PAGE, payroll_week=WEEK)

    _move_straight_to_publish(at)
    at.button(key="payroll_confirm_yes").click().run()

    assert not at.exception
    assert any(e.value.startswith("No publish worker is running, so nothing was queued.") for e in at.error)
    assert "Publish (0)" in _headers(at)
    assert jobs(app_db) == []


def test_a_move_whose_week_cannot_be_queued_leaves_the_card_and_says_why_in_red(
    app_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression test for #22: the card moved, in green, while its week was refused."""
    _timesheets(app_db)
    TestWorker(get_settings()).present()
    monkeypatch.setenv("AUTH", json.dumps(_AUTH))
    with Session(app_db) as session:
        admin = access.local_admin(session)
        matrix = access.permission_matrix(session)
        access.set_permission_matrix(session, matrix={**matrix, "Payroll": matrix["Payroll"] - {Perm.PUBLISH}},
                                     actor=admin)
        access.save_user(session, email="payroll@example.com", role_name="Payroll", actor=admin)
        session.commit()
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "payroll@example.com"}
    at.session_state["payroll_week"] = WEEK
    at.run()

    _move_straight_to_publish(at)
    at.button(key="payroll_confirm_yes").click().run()

    assert not at.exception
    assert not at.success
    assert at.error[0].value == "1001 Riverside Medical Center to Publish: 1 card not moved."
    assert any(m.value.startswith(f"- {NOT_QUEUED} (1)") for m in at.markdown)
    assert any("Publish to Procore" in e.value for e in at.error[1:])  # the refusal itself, with the jobs
    assert "Publish (0)" in _headers(at)
    assert jobs(app_db) == []


def test_a_move_that_skips_columns_asks_and_cancel_leaves_the_card(
    app_db: Engine, open_page: Callable[..., AppTest]
) -> None:
    _worker, at = _board_with_worker(app_db, open_page)

    _move_straight_to_publish(at)

    assert not at.exception
    assert _question(at) == ("Move 1001 Riverside Medical Center from To do to Publish, "
                             "skipping In review and Approved?")
    assert "Publish (0)" in _headers(at)
    assert jobs(app_db) == []

    at.button(key="payroll_confirm_no").click().run()

    assert not at.exception
    assert _question(at) == ""
    assert not at.success
    assert _headers(at)[:4] == ["To do (8)", "In review (0)", "Approved (0)", "Publish (0)"]
    assert jobs(app_db) == []


def test_a_card_dragged_out_of_publish_asks_whether_to_delete_in_procore(
    app_db: Engine, open_page: Callable[..., AppTest]
) -> None:
    _worker, at = _board_with_worker(app_db, open_page)
    with Session(app_db) as session:
        admin = local_admin(session)
    move_card(get_settings(), app_db, job_site_id=1, week_start=WEEK, to=BoardColumn.PUBLISH, actor=admin,
              send=lambda _request: None)  # in Publish, nothing sent
    # What dropping card 1001 on Approved leaves (AppTest cannot drag; the browser test does)
    at.session_state[CONFIRM] = PendingMove(job_site_id=1, to=BoardColumn.APPROVED)
    at.run()

    assert not at.exception
    assert _question(at) == "Move 1001 Riverside Medical Center from Publish to Approved?"
    at.checkbox(key=f"{CONFIRM}_delete").check()
    at.button(key=f"{CONFIRM}_yes").click().run()

    assert not at.exception
    assert at.success[0].value == ("1001 Riverside Medical Center to Approved: 1 card moved. "
                                   "Its week is queued for Procore.")
    assert [(job.action, job.job_site_ids) for job in jobs(app_db)] == [("unpublish", [1])]
    assert _headers(at)[2:4] == ["Approved (1)", "Publish (0)"]


def test_a_move_to_the_next_column_happens_at_once(open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE, payroll_week=WEEK)

    at.selectbox(key="payroll_move_1").select_index(0).run()  # In review
    at.button(key="payroll_go_1").click().run()

    assert not at.exception
    assert _question(at) == ""
    assert at.success[0].value == "1001 Riverside Medical Center to In review: 1 card moved."
    assert _headers(at)[:3] == ["To do (7)", "In review (1)", "Approved (0)"]


def test_the_board_opens_on_the_week_waiting_and_keeps_the_week_picked(
    app_db: Engine, open_page: Callable[..., AppTest]
) -> None:
    at = open_page(PAGE)
    with Session(app_db) as session:
        opening = board_opening_week(session, today=datetime.now(UTC).date(), starts_on=0)

    assert not at.exception
    assert at.date_input(key="payroll_week").value == opening
    at.date_input(key="payroll_week").set_value(WEEK).run()
    # Streamlit drops a widget's state while another page shows: the page keeps the week it was on
    back = open_page(PAGE, payroll_week_kept=at.session_state["payroll_week_kept"])

    assert back.date_input(key="payroll_week").value == WEEK
    assert _headers(back)[0] == "To do (8)"


def test_the_page_needs_the_payroll_permission(app_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH", json.dumps(_AUTH))
    with Session(app_db) as session:
        admin = access.local_admin(session)
        access.save_user(session, email="manager@example.com", role_name="Project manager", actor=admin)
        access.save_user(session, email="payroll@example.com", role_name="Payroll", actor=admin)
        session.commit()
    refused = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    refused.user = {"is_logged_in": True, "email": "manager@example.com"}
    refused.run()
    assert "You need the 'Payroll' permission" in refused.error[0].value
    assert not refused.subheader
    allowed = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    allowed.user = {"is_logged_in": True, "email": "payroll@example.com"}
    allowed.session_state["payroll_week"] = WEEK
    allowed.run()
    assert not allowed.error
    assert allowed.subheader[0].value == "To do (8)"
