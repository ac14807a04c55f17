"""Procore look-ups that pages show, cached briefly: Procore is asked at most once a minute per person,
and again at once after anything that changes what it would answer (`forget_procore_lookups`)."""

from __future__ import annotations

import streamlit as st

from core import setup
from core.ui.guard import PageContext

LOOKUP_TTL_S = 60


@st.cache_data(ttl=LOOKUP_TTL_S, show_spinner="Reading Procore…")
def _companies(database_url: str, actor_email: str, _ctx: PageContext) -> dict[int, str]:
    # The database and the person are the cache key: another app database or person never shares an answer.
    return setup.reachable_companies(_ctx.settings, _ctx.engine, actor=_ctx.identity)


def reachable_companies(ctx: PageContext) -> dict[int, str]:
    """The companies the stored Procore connection can reach (id → name), from the cache when fresh."""
    return _companies(ctx.settings.database_url, ctx.identity.email, ctx)


def forget_procore_lookups() -> None:
    """Drop every cached answer: call after connecting, disconnecting or choosing a company."""
    _companies.clear()
