"""Cost codes (read-only)."""

from __future__ import annotations

import streamlit as st

from core.timeclock import queries
from core.ui import page_guard
from core.ui.widgets import table_with_download

ctx = page_guard()
st.title("Cost codes")
st.caption("A code with a job site belongs to that site only; a standard code is shared by all job sites.")
with ctx.session() as session:
    frame = queries.cost_codes_frame(session)
st.caption(f"{len(frame):,} records")
table_with_download(frame, name="cost-codes", empty_message="No cost codes yet.")
