"""Small widget helpers shared by pages."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.csv_safety import csv_download


def select_id(
    container: Any, label: str, options: dict[int, str], current: int | None, *, optional: bool = False
) -> Any:
    """A selectbox over `options` (id → label) starting at `current`; None allowed when optional."""
    ids: list[int | None] = [None, *options] if optional else list(options)
    index = ids.index(current) if current in ids else 0
    return container.selectbox(label, ids, index=index, format_func=lambda i: "—" if i is None else options[i])


def table_with_download(
    frame: pd.DataFrame, *, name: str, empty_message: str, labels: dict[str, str] | None = None
) -> None:
    """A read-only table and its CSV download, or a message when there are no rows.

    `labels` names the columns people see (default: `column_labels`); the CSV keeps the column names.
    """
    if frame.empty:
        st.info(empty_message)
        return
    st.dataframe(frame, hide_index=True, width="stretch", column_config=labels or column_labels(frame))
    st.download_button(f"Download {name} CSV", csv_download(frame), f"{name}.csv", "text/csv",
                       key=f"download_{name}")


def column_labels(frame: pd.DataFrame) -> dict[str, str]:
    """Display labels for snake_case columns ('job_site_number' → 'Job site number'); CSVs keep the names."""
    return {name: str(name).replace("_", " ").capitalize().replace("procore", "Procore") for name in frame.columns}
