"""Shared chrome: the sidebar's identity block, the local-mode notice and the reconnect banner."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from core.access import Identity, Perm
from core.procore.connection import reconnect_reason


def sidebar_identity(identity: Identity) -> None:
    """Who is signed in, and a sign-out button (or the local-mode notice)."""
    with st.sidebar:
        if identity.local_mode:
            st.warning(
                "Local single-user mode: whoever opens this app acts as Admin. "
                "Configure an [auth] section in .streamlit/secrets.toml to require sign-in.",
                icon="⚠️",
            )
            return
        st.caption(f"Signed in as **{identity.name}** ({identity.role})")
        st.button("Sign out", on_click=st.logout)


def reconnect_banner(engine: Engine, identity: Identity) -> None:
    """Tell people who may reconnect Procore that the connection needs it, with a link to Procore setup."""
    if not identity.can(Perm.PROCORE_SETUP):
        return
    reason = reconnect_reason(engine)
    if not reason:
        return
    # navigation imports the page guard, which imports this module: import the link helpers when needed.
    from core.ui.links import link_to  # noqa: PLC0415
    from core.ui.navigation import PROCORE_SETUP  # noqa: PLC0415

    st.warning(f"Procore needs a reconnect: {reason} Until then nothing reaches Procore.", icon="🔌")
    link_to(PROCORE_SETUP, label="Reconnect on Procore setup")
