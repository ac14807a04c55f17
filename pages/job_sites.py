"""Job sites (read-only)."""

from __future__ import annotations

import streamlit as st

from core.timeclock import queries
from core.ui import page_guard
from core.ui.widgets import table_with_download

ctx = page_guard()
st.title("Job sites")
with ctx.session() as session:
    frame = queries.job_sites_frame(session)
st.caption(f"{len(frame):,} records")
table_with_download(frame, name="job-sites", empty_message="No job sites yet.")
