"""A run's problems as a list: each reason with its count, and a link to the page that fixes it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.dashboards.fixes import FixPlace
from core.ui.links import FIX_PAGES, link_to

NO_FIX_PAGE = "retried by the next scheduled run, or settled on the module's dashboard"


def show_problems(problems: pd.DataFrame) -> None:
    """`problems` as `core.jobs.history.run_problems` gives them (reason, entries, place)."""
    for reason, count, place in problems.itertuples(index=False, name=None):
        st.markdown(f"- {reason} ({count})" + ("" if place else f" · {NO_FIX_PAGE}"))
        if place:
            page = FIX_PAGES[FixPlace(place)]
            link_to(page, label=f"Fix on {page.title}")
