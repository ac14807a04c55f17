"""The dashboards keep the date and view chosen for the session: another page and back shows them again."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from core.dashboards.calendar import Span
from tests.core.publishing.engine_world import Linked
from tests.pages.conftest import ROOT
from tests.pages.test_dashboard_pages import MANPOWER, PAGES, _calendar, _key, _ok
from tests.pages.test_dashboard_pages import linked as linked  # noqa: F401  (the fixture)

CHOSEN = date(2026, 10, 7)


def test_the_date_and_view_chosen_are_there_again_after_another_page(linked: Linked) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(PAGES[MANPOWER]).run()
    at.button_group(key=_key(MANPOWER, "span")).set_value(Span.MONTH).run()
    at.date_input(key=_key(MANPOWER, "day")).set_value(CHOSEN).run()

    at.switch_page("pages/time_logs.py").run()
    at.query_params.clear()  # a page switched to in the sidebar carries no ?date=
    assert _key(MANPOWER, "day") not in at.session_state  # Streamlit dropped the widget's key
    at.switch_page(PAGES[MANPOWER]).run()

    _ok(at)
    options = _calendar(at)["options"]
    assert options["initialView"] == "dayGridMonth"
    assert options["initialDate"] == CHOSEN.isoformat()
