"""Employees (read-only)."""

from __future__ import annotations

import streamlit as st

from core.timeclock import queries
from core.ui import page_guard
from core.ui.widgets import table_with_download

ctx = page_guard()
st.title("Employees")
with ctx.session() as session:
    frame = queries.employees_frame(session)
st.caption(f"{len(frame):,} records")
table_with_download(frame, name="employees", empty_message="No employees yet.")
