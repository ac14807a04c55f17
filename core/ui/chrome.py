"""Shared chrome: the sidebar's identity block and the local-mode notice."""

from __future__ import annotations

import streamlit as st

from core.access import Identity


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
