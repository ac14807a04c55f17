"""A page that fails the way `PAGE_ERROR` (session state) says, inside the app's error boundary."""

import streamlit as st

from core.errors import ValidationError
from core.ui.page_errors import plain_errors

with plain_errors():
    st.write("before the error")
    kind = st.session_state.get("PAGE_ERROR")
    if kind == "ours":
        raise ValidationError("The break is as long as the time log or longer.")
    if kind == "unexpected":
        raise RuntimeError("boom at /srv/app/core/secret.py with access_token=abc123 in it")
    if kind == "rerun" and not st.session_state.get("rerun_done"):
        st.session_state["rerun_done"] = True
        st.rerun()
    st.write("after")
