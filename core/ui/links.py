"""Links to other pages that never break the page showing them."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from core.ui.navigation import PageSpec


def link_to(spec: PageSpec, *, label: str | None = None) -> None:
    """A link to the page of `spec`, or its name in words when the navigation does not list that page.

    The navigation lists pages by setup state (Payroll items only in two-way
    mode, for instance), and a page run on its own (a test) lists none.
    """
    text = label or f"Open {spec.title}"
    try:
        st.page_link(spec.script, label=text, icon=spec.icon)
    except StreamlitAPIException:
        st.caption(f"{text}: find {spec.title} in the sidebar.")
