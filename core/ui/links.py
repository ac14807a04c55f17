"""Links to other pages that never break the page showing them, and the page that fixes each reason."""

from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit.errors import StreamlitAPIException

from core.dashboards.fixes import FixPlace
from core.db import utcnow
from core.ui.navigation import DATA_MAPPING, PAYROLL_ITEMS, PROCORE_SETUP, TIME_CLOCK, PageSpec

# The page each kind of Non publishable reason is fixed on (`core.dashboards.fixes.fix_place`).
FIX_PAGES: dict[FixPlace, PageSpec] = {
    FixPlace.DATA_MAPPING: DATA_MAPPING,
    FixPlace.PAYROLL_ITEMS: PAYROLL_ITEMS,
    FixPlace.PROCORE_SETUP: PROCORE_SETUP,
    FixPlace.QUANTITIES: next(spec for spec in TIME_CLOCK if spec.script == "pages/quantities.py"),
    FixPlace.TIME_LOGS: next(spec for spec in TIME_CLOCK if spec.script == "pages/time_logs.py"),
}


def link_to(spec: PageSpec, *, label: str | None = None, query_params: dict[str, str] | None = None) -> None:
    """A link to the page of `spec` (with `query_params`, like a dashboard's ?date=), or its name in words
    when the navigation does not list that page.

    The navigation lists pages by setup state (Payroll items only in two-way
    mode, for instance), and a page run on its own (a test) lists none.
    """
    text = label or f"Open {spec.title}"
    try:
        st.page_link(spec.script, label=text, icon=spec.icon, query_params=query_params)
    except StreamlitAPIException:
        st.caption(f"{text}: find {spec.title} in the sidebar.")


def linked_day() -> date:
    """The date a link asks for (`link_to(..., query_params={"date": "2026-11-16"})`), else today."""
    try:
        return date.fromisoformat(str(st.query_params.get("date", "")))
    except ValueError:
        return utcnow().date()
