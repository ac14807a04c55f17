"""A page that shows only the undo component, for the run in session state `undo_test_run`."""

from __future__ import annotations

import streamlit as st

from core.ui import page_guard
from core.ui.undo_panel import undo_panel

ctx = page_guard()
undo_panel(ctx, int(st.session_state["undo_test_run"]))
