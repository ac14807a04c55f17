"""The browser side of connecting Procore: the Authorize link and the redirect back."""

from __future__ import annotations

import time
from html import escape

import streamlit as st

from core.errors import ProcoreConnectError
from core.procore.authorization import begin_authorization, complete_authorization
from core.ui.guard import PageContext
from core.ui.procore_lookups import forget_procore_lookups

_LINK_KEY = "procore_setup_authorize_url"
LINK_LIFETIME_S = 9 * 60  # the stored state lives 10 minutes
REDIRECT_PARAMS = ("code", "state", "error", "error_description")


def authorize_link(ctx: PageContext, label: str = "Authorize with Procore") -> None:
    """A button-styled link to Procore's consent page, opened in this tab (with a fresh stored state)."""
    cached = st.session_state.get(_LINK_KEY)
    if cached is None or time.monotonic() - cached[1] > LINK_LIFETIME_S:
        cached = (begin_authorization(ctx.settings, ctx.engine, actor=ctx.identity), time.monotonic())
        st.session_state[_LINK_KEY] = cached
    st.markdown(
        f'<a href="{escape(cached[0])}" target="_self" class="procore-authorize" '
        'style="display:inline-block;padding:0.5rem 1rem;border-radius:0.5rem;background:#f47e42;'
        f'color:white;text-decoration:none;font-weight:600">{escape(label)}</a>',
        unsafe_allow_html=True,
    )


def handle_redirect(ctx: PageContext) -> None:
    """If Procore just sent the browser back here, finish the sign-in and say how it went."""
    params = {key: st.query_params[key] for key in REDIRECT_PARAMS if key in st.query_params}
    if not params:
        return
    st.query_params.clear()
    st.session_state.pop(_LINK_KEY, None)
    if params.get("error") == "access_denied":
        st.warning("Procore authorization was denied, so nothing changed. Authorize again when you are ready.")
        return
    try:
        info = complete_authorization(ctx.settings, ctx.engine, query=params, actor=ctx.identity)
    except ProcoreConnectError as error:
        st.error(f"Procore was not connected: {error}")
        return
    forget_procore_lookups()
    st.success(f"Connected to Procore ({info.environment}) as {info.user_name or info.user_login}.")
