"""Administration > Integrations: the integrations this product offers, and turning Procore on."""

from __future__ import annotations

import streamlit as st

from core import setup
from core.access import Perm
from core.errors import ProcoreConnectError
from core.ui import page_guard
from core.ui.links import link_to
from core.ui.navigation import PROCORE_SETUP

ctx = page_guard()
st.title("Integrations")
st.caption("Activate an integration here, then finish it on its setup page.")

with ctx.session() as session:
    state = setup.state(session)

with st.container(border=True):
    left, right = st.columns([3, 1])
    left.subheader("Procore")
    left.write("Publish manpower, timecards, timesheets and production quantities to Procore, "
               "and import employees, job sites, cost codes, payroll items and vendors from it.")
    left.markdown(f"**Status:** {state.status_text}")
    if ctx.can(Perm.PROCORE_SETUP):
        label = "Deactivate" if state.active else "Activate"
        if right.button(label, key="procore_toggle", type="secondary" if state.active else "primary"):
            try:
                with ctx.session() as session:
                    setup.set_active(session, active=not state.active, actor=ctx.identity)
                st.rerun()
            except ProcoreConnectError as error:
                st.error(str(error))
        if state.active:
            with right:
                link_to(PROCORE_SETUP)
    else:
        right.caption("Needs the 'Procore setup' permission to change.")
