"""Procore Connect: the Streamlit entry point (navigation and page config only)."""

from __future__ import annotations

import streamlit as st

from core.ui.navigation import build_navigation, current_state

st.set_page_config(page_title="Procore Connect", layout="wide")
st.navigation(build_navigation(current_state())).run()
