"""The shared read-only table: our ids stay out of sight (they are in its CSV), long reasons wrap."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.ui.widgets import LONG_WIDTH, WRAPPED_ROW_HEIGHT


def _table_app() -> None:
    import pandas as pd

    from core.ui.widgets import table_with_download

    reason = "Company EVG Evergreen Drywall is not linked to a Procore vendor: map it on Procore setup"
    table_with_download(pd.DataFrame({"entry_id": [7], "job_site_id": [3], "natural_key": ["m|3|7"],
                                      "job_site": ["Main St"], "reasons": [reason], "procore_id": [99]}),
                        name="entries", empty_message="No entries.")


def test_our_ids_are_hidden_procores_shown_and_a_long_reason_wraps() -> None:
    at = AppTest.from_function(_table_app).run()

    (table,) = at.dataframe
    assert list(table.proto.column_order) == ["job_site", "reasons", "procore_id"]
    assert {"entry_id", "job_site_id"} <= set(table.value.columns)  # the data (and its CSV) keep them
    assert table.proto.row_height > 64  # Streamlit wraps a cell's text only in rows taller than 4rem
    config = json.loads(table.proto.columns)
    assert config["reasons"]["width"] == LONG_WIDTH
    assert config["job_site"]["label"] == "Job site"
    assert at.get("download_button")[0].proto.label == "Download entries CSV"


def _long_reasons_app() -> None:
    import pandas as pd

    from core.ui.widgets import show_table

    reason = "Company EVG Evergreen Drywall is not linked to a Procore vendor (two-way mode: create it in Procore)"
    show_table(pd.DataFrame({"day": ["2026-11-16", "2026-11-17"], "reasons": [reason, "; ".join([reason] * 3)],
                             "detail": ["x", "y"]}), columns=["day", "reasons"])


def test_rows_grow_with_their_longest_reason_and_only_the_columns_asked_show() -> None:
    """Regression test for #22: three reasons of a day's entry were cut after the third line."""
    at = AppTest.from_function(_long_reasons_app).run()

    (table,) = at.dataframe
    assert list(table.proto.column_order) == ["day", "reasons"]
    assert table.proto.row_height == 16 + 20 * 8  # 304 characters: 8 lines of 42
    assert table.proto.row_height > WRAPPED_ROW_HEIGHT


@pytest.mark.parametrize("script", ["pages/time_logs.py", "pages/quantities.py"])
def test_the_time_clock_lists_keep_their_ids_out_of_sight(open_page: Callable[..., AppTest], script: str) -> None:
    at = open_page(script)

    table = at.dataframe[0]
    assert "id" in table.value.columns  # in the data, and so in its CSV
    assert "id" not in table.proto.column_order
    assert "date" in table.proto.column_order
