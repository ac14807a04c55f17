"""Small widget helpers shared by pages, and the shared read-only table with its CSV download."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from core.csv_safety import csv_download

LONG_TEXT = 48  # characters: a column holding longer texts is drawn wide, its rows tall enough to wrap them
WRAPPED_ROW_HEIGHT = 72  # pixels: Streamlit wraps a cell's text only in rows taller than 4rem (64 px)
# A long text's column is LONG_WIDTH pixels (Streamlit's "large", 400 px, pushed the last column past the edge
# of a table of seven), about LINE_CHARACTERS a line, each line LINE_HEIGHT pixels, the row ROW_PADDING more;
# past MOST_LINES a row would fill the table, and the cell's whole text shows when clicked.
LONG_WIDTH, LINE_CHARACTERS, LINE_HEIGHT, ROW_PADDING, MOST_LINES = 320, 42, 20, 16, 12


def select_id(
    container: Any, label: str, options: dict[int, str], current: int | None, *, optional: bool = False
) -> Any:
    """A selectbox over `options` (id → label) starting at `current`; None allowed when optional."""
    ids: list[int | None] = [None, *options] if optional else list(options)
    index = ids.index(current) if current in ids else 0
    return container.selectbox(label, ids, index=index, format_func=lambda i: "—" if i is None else options[i])


def table_with_download(
    frame: pd.DataFrame, *, name: str, empty_message: str, labels: Mapping[str, str] | None = None,
    columns: Sequence[str] | None = None,
) -> None:
    """A read-only table (`show_table`) and its CSV download, or a message when there are no rows.

    The CSV keeps every column under its own name, our ids too (and those `columns` leaves out).
    """
    if frame.empty:
        st.info(empty_message)
        return
    show_table(frame, labels=labels, columns=columns)
    st.download_button(f"Download {name} CSV", csv_download(frame), f"{name}.csv", "text/csv",
                       key=f"download_{name}")


def show_table(frame: pd.DataFrame, *, labels: Mapping[str, str] | None = None,
               columns: Sequence[str] | None = None) -> None:
    """A read-only table as people read it: labelled columns, our ids left out, long texts wrapped whole.

    `labels` names the columns people see (default: `column_labels`); our internal ids (`internal_id`)
    are left out unless `labels` names them; `columns`, when given, are the only ones shown (a table too
    wide for the page keeps the rest for its CSV). A column holding a text longer than LONG_TEXT is drawn
    wide and the rows tall enough for its longest text, so no reason or status is cut.
    """
    shown = list(columns) if columns is not None else [
        column for column in frame.columns if not internal_id(str(column)) or column in (labels or {})]
    longest = {column: _longest(frame[column]) for column in shown}
    long = [column for column in shown if longest[column] > LONG_TEXT]
    config: dict[str, Any] = {column: st.column_config.Column(text, width=LONG_WIDTH if column in long else None)
                              for column, text in (labels or column_labels(frame)).items()}
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config, column_order=shown,
                 row_height=wrapped_row_height(max(longest[column] for column in long)) if long else None)


def wrapped_row_height(longest: int) -> int:
    """Pixels for rows whose longest text (`longest` characters) wraps whole in a LONG_WIDTH column."""
    lines = min(-(-longest // LINE_CHARACTERS), MOST_LINES)
    return max(WRAPPED_ROW_HEIGHT, ROW_PADDING + LINE_HEIGHT * lines)


def internal_id(column: str) -> bool:
    """Is `column` one of our database's ids or keys ("id", "entry_id", "natural_key")? Procore's ids are not."""
    return (column in ("id", "natural_key") or column.endswith("_id")) and not column.startswith("procore")


def column_labels(frame: pd.DataFrame) -> dict[str, str]:
    """Display labels for snake_case columns ('job_site_number' → 'Job site number'); CSVs keep the names."""
    return {name: str(name).replace("_", " ").capitalize().replace("procore", "Procore") for name in frame.columns}


def _longest(column: pd.Series) -> int:
    """The length of the longest text in `column` (0 for a column of numbers)."""
    return max((len(value) for value in column if isinstance(value, str)), default=0)
