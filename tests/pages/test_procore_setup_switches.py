"""Procore setup asks before a mode or module switch that touches published entries (issue 19)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core import setup
from core.access import local_admin
from core.db import session_scope
from core.models import JobSite, PublishEntry
from core.models.ids import saved_id
from core.models.publishing import PublishModule, PublishStatus
from core.models.setup import SyncMode
from tests.pages.test_procore_setup_page import PAGE, _activate, _connect

TIMECARD, TIMESHEET = PublishModule.TIMECARD, PublishModule.TIMESHEET


def _published_timecards(engine: Engine, count: int = 3) -> None:
    """Timecard set up in two-way mode, with `count` entries holding Procore records."""
    with session_scope(engine) as session:
        admin = local_admin(session)
        setup.set_mode(session, mode=SyncMode.TWO_WAY, actor=admin)
        setup.set_modules(session, modules=frozenset({TIMECARD}), actor=admin)
        site = session.exec(select(JobSite)).first()  # the demo time clock's
        assert site is not None
        session.add_all([PublishEntry(
            module=TIMECARD, natural_key=f"key-{n}", job_site_id=saved_id(site), work_date=date(2026, 11, 16),
            values={"hours": 8}, fingerprint=f"f{n}", status=PublishStatus.PUBLISHED, procore_id=700 + n,
            procore_project_id=5001) for n in range(count)])


def _state(engine: Engine) -> setup.SetupState:
    with Session(engine) as session:
        return setup.state(session)


def _modules_of_entries(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(str(entry.module) for entry in session.exec(select(PublishEntry)).all())


def _opened(open_page: Callable[..., AppTest], app_db: Engine) -> AppTest:
    _activate(app_db)
    _connect(app_db, choose_company=True)
    _published_timecards(app_db)
    return open_page(PAGE)


def test_turning_timesheet_on_asks_and_carries_timecards_over(
    open_page: Callable[..., AppTest], app_db: Engine,
) -> None:
    at = _opened(open_page, app_db)
    at.checkbox(key="procore_module_timesheet").check().run()

    assert not at.exception
    assert _state(app_db).modules == {TIMECARD}  # asked first: nothing switched yet
    assert at.checkbox(key="procore_module_timesheet").value is False
    assert any("3 Timecard entries are published in Procore" in w.value for w in at.warning)
    counts = at.table[-1].value
    assert list(counts["Module"]) == ["Timecard"]
    assert list(counts["Published entries"]) == ["3"]
    choice = at.radio(key="procore_switch_choice")
    assert choice.value == setup.SwitchChoice.CARRY_OVER

    at.button(key="procore_confirm_switch_yes").click().run()

    assert not at.exception
    assert _state(app_db).modules == {TIMESHEET}
    assert _modules_of_entries(app_db) == ["timesheet"] * 3
    assert at.checkbox(key="procore_module_timesheet").value is True
    assert at.checkbox(key="procore_module_timecard").value is False
    assert any("3 Timecard entries carried over to Timesheet" in s.value for s in at.success)


def test_cancelling_the_switch_changes_nothing(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    at = _opened(open_page, app_db)
    at.checkbox(key="procore_module_timesheet").check().run()
    at.button(key="procore_confirm_switch_no").click().run()

    assert not at.exception
    assert _state(app_db).modules == {TIMECARD}
    assert _modules_of_entries(app_db) == ["timecard"] * 3
    assert at.checkbox(key="procore_module_timecard").value is True
    assert not any("are published in Procore" in w.value for w in at.warning)


def test_changing_the_mode_over_published_entries_asks_first(
    open_page: Callable[..., AppTest], app_db: Engine,
) -> None:
    at = _opened(open_page, app_db)
    at.radio(key="procore_mode").set_value(SyncMode.ONE_WAY).run()

    assert _state(app_db).mode is SyncMode.TWO_WAY
    assert any("Entries already published stay in Procore" in w.value for w in at.warning)
    assert list(at.table[-1].value["Published entries"]) == ["3"]
    at.button(key="procore_confirm_mode_no").click().run()
    assert _state(app_db).mode is SyncMode.TWO_WAY
    assert at.radio(key="procore_mode").value is SyncMode.TWO_WAY

    at.radio(key="procore_mode").set_value(SyncMode.ONE_WAY).run()
    at.button(key="procore_confirm_mode_yes").click().run()

    assert not at.exception
    assert _state(app_db).mode is SyncMode.ONE_WAY
    assert "5. Import from Procore" not in [h.value for h in at.header]


def test_turning_off_a_module_with_published_entries_asks_first(
    open_page: Callable[..., AppTest], app_db: Engine,
) -> None:
    at = _opened(open_page, app_db)
    at.checkbox(key="procore_module_timecard").uncheck().run()
    assert _state(app_db).modules == {TIMECARD}
    assert any("Timecard entries already published stay in Procore" in w.value for w in at.warning)

    at.button(key="procore_confirm_module_off_yes").click().run()

    assert not at.exception
    assert _state(app_db).modules == frozenset()


def test_an_unpublish_that_leaves_records_in_procore_switches_nothing_and_says_why(
    open_page: Callable[..., AppTest], app_db: Engine,
) -> None:
    at = _opened(open_page, app_db)  # its entries' job site is not mapped: their records cannot be deleted
    at.checkbox(key="procore_module_timesheet").check().run()
    at.radio(key="procore_switch_choice").set_value(setup.SwitchChoice.UNPUBLISH).run()

    at.button(key="procore_confirm_switch_yes").click().run()

    assert not at.exception
    assert at.error[0].value == "3 timecard entries are still in Procore (see their reasons on the dashboard); " \
        "nothing was switched."
    assert _state(app_db).modules == {TIMECARD}
    with Session(app_db) as session:
        assert setup.published_by_module(session) == {TIMECARD: 3}
    assert at.checkbox(key="procore_module_timecard").value is True
    assert at.checkbox(key="procore_module_timesheet").value is False
