"""Companies (our own and subcontractors) and their crews (read-only)."""

from __future__ import annotations

import streamlit as st

from core.timeclock import queries
from core.ui import page_guard
from core.ui.widgets import table_with_download

ctx = page_guard()
st.title("Companies and crews")
with ctx.session() as session:
    companies = queries.companies_frame(session)
    crews = queries.crews_frame(session)
st.subheader("Companies")
table_with_download(companies, name="companies", empty_message="No companies yet.")
st.subheader("Crews")
table_with_download(crews, name="crews", empty_message="No crews yet.")
