"""A page that is off in this setup: why it is off, and a link to the step that turns it on.

The navigation registers every page the app has; a page the setup state does not list is registered
hidden as `off_page(spec, state)`, so its address (a bookmark, a deep link, a link in a message) says what is
missing instead of Streamlit's "Page not found".
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import streamlit as st

from core.modules.definition import PageSpec
from core.modules.registry import all_definitions
from core.setup import SetupState, short_label
from core.ui.guard import page_guard


class OffReason(NamedTuple):
    """Why a page is off, and the page (with the words of its link) where that is changed."""

    why: str
    fix: PageSpec
    fix_label: str


def off_page(spec: PageSpec, state: SetupState) -> st.Page:
    """A hidden page at `spec`'s address that explains why it is off now."""
    reason = off_reason(spec, state)
    return st.Page(partial(show_off, spec, reason), title=spec.title, icon=spec.icon,
                   url_path=spec.script.removeprefix("pages/").removesuffix(".py"), visibility="hidden")


def off_reason(spec: PageSpec, state: SetupState) -> OffReason:
    """Why `spec` is off in `state`: the first missing step that would turn it on."""
    from core.ui import navigation as nav  # noqa: PLC0415 - the navigation imports this module

    to_setup = "Open Procore setup"
    if not state.active:
        return OffReason("Procore is not active yet.", nav.INTEGRATIONS, "Activate Procore on Integrations")
    if spec == nav.PAYROLL_ITEMS:
        return OffReason("Payroll items come with the two-way integration: this company uses the one-way "
                         "integration, where each pay ID is mapped to a Procore payroll type on Data mapping.",
                         nav.DATA_MAPPING if state.finished else nav.PROCORE_SETUP,
                         "Open Data mapping" if state.finished else to_setup)
    if not state.finished:
        return OffReason("Procore setup is not finished: it needs a company, a mode and at least one module.",
                         nav.PROCORE_SETUP, to_setup)
    if spec == nav.DATA_MAPPING:
        return OffReason("This company uses the two-way integration: the import on Procore setup creates your "
                         "records from Procore and maps them, so there is nothing to map by hand.",
                         nav.PROCORE_SETUP, "Import on Procore setup")
    module = next((found.module for found in all_definitions() if found.page == spec), None)
    if module is not None:
        return OffReason(f"The {short_label(module)} module is off.", nav.PROCORE_SETUP,
                         f"Turn {short_label(module)} on in Procore setup")
    return OffReason("This page is not available in the current Procore setup.", nav.HOME, "Open Getting started")


def show_off(spec: PageSpec, reason: OffReason) -> None:
    """The off page: its title, why it is off, and the link to the step that turns it on."""
    from core.ui import navigation as nav  # noqa: PLC0415 - the navigation imports this module
    from core.ui.links import link_to  # noqa: PLC0415 - and so do the links

    page_guard()
    st.title(spec.title)
    st.info(f"**{spec.title} is off.** {reason.why}")
    link_to(reason.fix, label=reason.fix_label)
    if reason.fix != nav.HOME:
        link_to(nav.HOME, label="See every step on Getting started")
