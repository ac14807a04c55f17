"""Administration > Role permissions: which role has which permission, and who has which role."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import access
from core.access import Perm
from core.errors import ProcoreConnectError
from core.ui import page_guard
from core.ui.widgets import column_labels

ctx = page_guard(Perm.ROLE_PERMISSIONS)
st.title("Role permissions")

with ctx.session() as session:
    matrix = access.permission_matrix(session)
    users = access.users_frame(session)

names = access.PERMISSION_NAMES
# One row per permission and a column per role: the few roles fit the page's width, the many permissions run down.
grid = pd.DataFrame({role: [p in matrix[role] for p in Perm] for role in matrix},
                    index=pd.Index([names[p] for p in Perm], name="Permission"))
st.caption("Tick a box to grant a permission to a role. The Admin role always keeps Role permissions.")
edited = st.data_editor(grid, key="role_matrix", width="stretch", height="content")
if st.button("Save permissions", type="primary"):
    new = {role: frozenset(p for p in Perm if bool(edited.loc[names[p], role])) for role in edited.columns}
    try:
        with ctx.session() as session:
            access.set_permission_matrix(session, matrix=new, actor=ctx.identity)
        st.success("Role permissions saved.")
    except ProcoreConnectError as error:
        st.error(str(error))

st.subheader("Users")
if ctx.settings.auth_configured:
    st.caption("People sign in with your identity provider; their e-mail decides their role here.")
else:
    st.caption("Sign-in is not configured, so this list is not used yet: everyone is the local Admin.")
st.dataframe(users, hide_index=True, width="stretch", column_config=column_labels(users))
with st.form("add_user"):
    left, middle, right = st.columns(3)
    email = left.text_input("E-mail")
    name = middle.text_input("Name")
    role = right.selectbox("Role", list(matrix))
    if st.form_submit_button("Save user"):
        try:
            with ctx.session() as session:
                access.save_user(session, email=email, role_name=role, name=name, actor=ctx.identity)
            st.success(f"{email} now has the {role} role.")
        except ProcoreConnectError as error:
            st.error(str(error))
