"""Procore Connect: the Streamlit entry point (navigation and page config only)."""

from __future__ import annotations

import streamlit as st

from core.ui.navigation import build_navigation, current_state, may_set_up
from core.ui.page_errors import plain_errors

# An emoji favicon: a page's Material icon would make the browser fetch it from Google's font server.
st.set_page_config(page_title="Procore Connect", page_icon="🏗️", layout="wide")
page = st.navigation(build_navigation(current_state(), may_set_up=may_set_up()))
with plain_errors():
    page.run()
