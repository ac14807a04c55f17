"""The outcome component as people see it: green only when everything went, the counts in words, and the
reasons grouped with their counts and a link to the page that fixes them; the same on the pages that end work."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from core.dashboards.fixes import FixPlace
from core.outcomes import Outcome, Reason, Result, Work, ordered
from core.ui.widgets import LONG_TEXT, LONG_WIDTH, WRAPPED_ROW_HEIGHT, wrapped_row_height
from tests.pages.conftest import ROOT

UNMAPPED = "Vendor Evergreen Drywall is not linked to a Procore vendor: map it on Data mapping > Vendors"
TIME_LOGS_PAGE = "pages/time_logs.py"
HEADER = "employee_number,job_site_number,cost_code,pay_id,clock_in,clock_out,break_minutes\n"


def _shown(outcome: Outcome) -> AppTest:
    at = AppTest.from_file(str(ROOT / "tests/pages/outcome_app.py"), default_timeout=30)
    at.session_state["outcome_test"] = outcome
    return at.run()


def _publish(counts: dict[Result, int], *reasons: Reason) -> Outcome:
    return Outcome(Work.PUBLISH, "#1 Publish · 16 Nov – 22 Nov 2026", counts=ordered(counts), reasons=reasons)


def _lines(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("- ")]


def test_all_went_is_green_with_its_counts_and_nothing_else() -> None:
    at = _shown(_publish({Result.CREATED: 18, Result.UPDATED: 1}))

    assert not at.exception
    assert [s.value for s in at.success] == ["#1 Publish · 16 Nov – 22 Nov 2026: 18 entries created, 1 entry updated."]
    assert not at.warning
    assert not at.error
    assert not _lines(at)


def test_some_non_publishable_is_a_warning_with_the_reason_grouped_its_count_and_where_to_fix_it() -> None:
    at = _shown(_publish({Result.CREATED: 18, Result.NON_PUBLISHABLE: 19},
                         Reason(UNMAPPED, 19, FixPlace.DATA_MAPPING)))

    assert not at.exception
    assert not at.success
    assert [w.value for w in at.warning] == [
        "#1 Publish · 16 Nov – 22 Nov 2026: 18 entries created, 19 entries Non publishable."]
    assert _lines(at) == [f"- {UNMAPPED} (19)"]  # one line for the 19 entries, not 19 lines
    assert "Fix on Data mapping: find Data mapping in the sidebar." in [c.value for c in at.caption]


def test_a_failure_is_an_error_even_beside_what_went() -> None:
    at = _shown(_publish({Result.CREATED: 3, Result.FAILED: 1}, Reason("Procore refused: 422", 1)))

    assert not at.success
    assert not at.warning
    assert [e.value for e in at.error] == ["#1 Publish · 16 Nov – 22 Nov 2026: 3 entries created, 1 entry failed."]
    assert _lines(at) == ["- Procore refused: 422 (1)"]


def _upload(open_page: Callable[..., AppTest], rows: str) -> AppTest:
    at = open_page(TIME_LOGS_PAGE)
    at.file_uploader(key="tl_upload_logs").set_value(("logs.csv", (HEADER + rows).encode(), "text/csv")).run()
    return at.button(key="tl_upload_logs_go").click().run()


def test_an_upload_says_in_green_how_many_time_logs_it_imported(app_db: Engine,
                                                                open_page: Callable[..., AppTest]) -> None:
    day = date(2026, 10, 4)  # before the demo world: no time log of the employee overlaps
    at = _upload(open_page, f"10001,1001,03-300,REG,{day} 07:00,{day} 15:30,30\n")

    assert not at.exception
    assert "CSV file: 1 time log imported." in [s.value for s in at.success]


def test_a_refused_upload_is_red_with_its_bad_rows_counted_and_their_reasons_grouped(
        app_db: Engine, open_page: Callable[..., AppTest]) -> None:
    at = _upload(open_page, "99999,1001,03-300,REG,2026-11-17 07:00,2026-11-17 15:00,30\n"
                            "99999,1001,03-300,REG,2026-11-18 07:00,2026-11-18 15:00,30\n")

    assert not at.exception
    assert [e.value for e in at.error] == ["CSV file, nothing was imported: 2 rows failed."]
    assert _lines(at) == ["- no employee with number '99999' (2)"]
    assert list(at.dataframe[-1].value["line"]) == [2, 3]  # the lines stay listed


def test_a_refused_uploads_lines_show_their_reasons_whole(app_db: Engine, open_page: Callable[..., AppTest]) -> None:
    """Regression test for #22: a bad line's reasons were cut at the column's edge."""
    at = _upload(open_page, "99999,9999,99-999,XXX,2026-11-17 07:00,2026-11-17 15:00,30\n")

    lines = at.dataframe[-1]
    (reasons,) = lines.value["reasons"]
    assert len(reasons) > LONG_TEXT
    assert json.loads(lines.proto.columns)["reasons"]["width"] == LONG_WIDTH
    assert lines.proto.row_height == wrapped_row_height(len(reasons)) >= WRAPPED_ROW_HEIGHT
