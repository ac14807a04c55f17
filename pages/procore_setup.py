"""Administration > Integrations > Procore setup: connect, company, mode, modules, import."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import setup
from core.access import Perm
from core.errors import ProcoreConnectError
from core.procore.authorization import disconnect
from core.procore.connection import connection_info
from core.setup import EXCLUSIVITY_NOTE
from core.ui import page_guard
from core.ui.confirm import ask, confirm_dialog
from core.ui.flash import flash, show_flash
from core.ui.import_preview import import_panel
from core.ui.links import link_to
from core.ui.navigation import INTEGRATIONS
from core.ui.oauth import authorize_link, handle_redirect
from core.ui.procore_lookups import forget_procore_lookups, reachable_companies
from core.ui.setup_switches import finished_note, mode_radio, module_checkboxes

ctx = page_guard(Perm.PROCORE_SETUP)
st.title("Procore setup")
handle_redirect(ctx)
show_flash("procore_setup")

with ctx.session() as session:
    state = setup.state(session)
if not state.active:
    st.info("Procore is not active. Activate it on Administration > Integrations first.")
    link_to(INTEGRATIONS, label="Go to Integrations")
    st.stop()

st.header("1. Connection")
info = connection_info(ctx.settings, ctx.engine)
if info is None:
    st.write("Authorize Procore Connect to use your Procore account. You will be taken to Procore and back.")
    authorize_link(ctx)
    st.stop()

details = {
    "Procore user": info.user_name or info.user_login or "—",
    "Environment": info.environment,
    "Company": info.company_name or "not chosen yet",
    "Token valid until": info.token_expires_at.strftime("%Y-%m-%d %H:%M UTC"),
}
st.table(pd.DataFrame({"value": list(details.values())}, index=list(details)), hide_header=True)


def _disconnect() -> None:
    try:
        disconnect(ctx.settings, ctx.engine, actor=ctx.identity)
    except ProcoreConnectError as error:
        flash("procore_setup", str(error), kind="error")
    else:
        flash("procore_setup", "Disconnected from Procore.", kind="info")
    forget_procore_lookups()


st.button("Disconnect", key="procore_disconnect", on_click=ask, args=("procore_confirm_disconnect",))
confirm_dialog("procore_confirm_disconnect", title="Disconnect Procore?", yes="Yes, disconnect", on_yes=_disconnect,
               body=lambda: st.warning("Disconnect revokes Procore Connect's access at Procore. "
                                       "Publishing stops until you authorize again."))

st.header("2. Company")
try:
    companies = reachable_companies(ctx)
except ProcoreConnectError as error:
    st.error(str(error))
    st.stop()
ids = list(companies)
chosen = st.selectbox("Procore company", ids, format_func=companies.__getitem__, key="procore_company",
                      index=ids.index(state.company_id) if state.company_id in ids else None,
                      placeholder="Choose the company to connect")
if chosen is not None and chosen != state.company_id and st.button("Use this company", type="primary"):
    try:
        name = setup.choose_company(ctx.settings, ctx.engine, company_id=chosen, actor=ctx.identity)
        forget_procore_lookups()
        flash("procore_setup", f"Connected company: {name}.")
        st.rerun()
    except ProcoreConnectError as error:
        st.error(str(error))
if state.company_id is None:
    st.stop()

st.header("3. How to use Procore")
mode_radio(ctx, state)

st.header("4. Modules")
st.caption(EXCLUSIVITY_NOTE)
module_checkboxes(ctx, state)

with ctx.session() as session:
    state = setup.state(session)
finished_note(ctx, state)

if state.two_way and state.company_id is not None:
    st.header("5. Import from Procore")
    import_panel(ctx, company_id=state.company_id)
