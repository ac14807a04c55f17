"""A page that shows only the outcome component, for the outcome in session state `outcome_test`."""

from __future__ import annotations

import streamlit as st

from core.ui.outcome import show_outcome

show_outcome(st.session_state["outcome_test"])
