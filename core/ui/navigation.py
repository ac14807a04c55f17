"""The app's navigation: sections and pages, listing only page scripts that exist.

Getting started comes first, for everyone, with Procore setup under it once Procore is active.
Before Procore setup is finished only the integration pages show; afterwards
a Procore section lists the pages of the enabled modules, Run history, Reconciliation (and Data
mapping in one-way mode); Administration lists Automation once Procore is active.
Payroll sits with the time clock: its board works without Procore.
Every other page the app has is registered hidden, as a page saying why it is off (`core.ui.page_off`),
so a deep link or a bookmark never meets "Page not found".
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core import access, setup
from core.access import Perm
from core.config import PROJECT_ROOT, get_settings
from core.db import session_scope
from core.modules.definition import PageSpec as PageSpec  # re-exported: pages and links name it from here
from core.modules.registry import all_definitions
from core.setup import SetupState
from core.ui.guard import database
from core.ui.page_off import off_page

HOME = PageSpec("pages/home.py", "Getting started", ":material/flag:")
TIME_CLOCK = (
    PageSpec("pages/time_logs.py", "Time logs", ":material/schedule:"),
    PageSpec("pages/quantities.py", "Production quantities", ":material/straighten:"),
    PageSpec("pages/job_sites.py", "Job sites", ":material/construction:"),
    PageSpec("pages/employees.py", "Employees", ":material/badge:"),
    PageSpec("pages/cost_codes.py", "Cost codes", ":material/sell:"),
    PageSpec("pages/companies.py", "Companies and crews", ":material/apartment:"),
)
# The payroll board works without Procore; its Publish column appears with the Timesheet module.
PAYROLL = PageSpec("pages/payroll.py", "Payroll", ":material/payments:")
# The modules' own pages (Timesheet has none: it publishes through the payroll board).
MODULE_PAGES = tuple(found.page for found in all_definitions() if found.page is not None)
DATA_MAPPING = PageSpec("pages/data_mapping.py", "Data mapping", ":material/account_tree:")
INTEGRATIONS = PageSpec("pages/integrations.py", "Integrations", ":material/extension:")
PROCORE_SETUP = PageSpec("pages/procore_setup.py", "Procore setup", ":material/settings:")
PAYROLL_ITEMS = PageSpec("pages/payroll_items.py", "Payroll items", ":material/receipt_long:")
ROLE_PERMISSIONS = PageSpec("pages/role_permissions.py", "Role permissions", ":material/admin_panel_settings:")
AUTOMATION = PageSpec("pages/automation.py", "Automation", ":material/event_repeat:")
RUN_HISTORY = PageSpec("pages/run_history.py", "Run history", ":material/history:")
RECONCILIATION = PageSpec("pages/reconciliation.py", "Reconciliation", ":material/compare_arrows:")
ALL_PAGES = (HOME, *TIME_CLOCK, PAYROLL, *MODULE_PAGES, RUN_HISTORY, RECONCILIATION, DATA_MAPPING, INTEGRATIONS,
             PROCORE_SETUP, PAYROLL_ITEMS, AUTOMATION, ROLE_PERMISSIONS)


def sections(state: SetupState, *, may_set_up: bool = True) -> dict[str, tuple[PageSpec, ...]]:
    """Which pages each section lists for this setup state (before checking the files exist); Procore setup
    only for people who `may_set_up`."""
    procore: list[PageSpec] = []
    if state.active and state.finished:
        procore = [found.page for found in all_definitions() if found.module in state.modules and found.page]
        procore.extend((RUN_HISTORY, RECONCILIATION))
        if not state.two_way:
            procore.append(DATA_MAPPING)
    administration = [INTEGRATIONS]
    if state.active and state.two_way:
        administration.append(PAYROLL_ITEMS)
    if state.active:
        administration.append(AUTOMATION)
    administration.append(ROLE_PERMISSIONS)
    start = (HOME, PROCORE_SETUP) if state.active and may_set_up else (HOME,)
    return {"Getting started": start, "Procore": tuple(procore), "Time clock": (*TIME_CLOCK, PAYROLL),
            "Administration": tuple(administration)}


def current_state() -> SetupState:
    """The setup state, read from the app's database."""
    engine = database(get_settings())
    with session_scope(engine) as session:
        return setup.state(session)


def may_set_up() -> bool:
    """Whether the person using the app may change the Procore setup (and so sees Procore setup listed)."""
    settings = get_settings()
    if not settings.auth_configured:
        return True  # local single-user mode: the local Admin
    if not st.user.is_logged_in:
        return False
    with session_scope(database(settings)) as session:
        identity = access.identity_for(session, email=str(st.user.get("email") or ""))
    return identity is not None and identity.can(Perm.PROCORE_SETUP)


def build_navigation(state: SetupState, root: Path = PROJECT_ROOT, *,
                     may_set_up: bool = True) -> dict[str, list[st.Page]]:
    """Sections of `st.Page`s for `st.navigation`, skipping scripts that do not exist.

    The pages this state does not list are added hidden to the last section, each as a page explaining
    why it is off, so their addresses still open something; Procore setup, active but not for this person,
    is added hidden as itself (it says which permission it needs).
    """
    result: dict[str, list[st.Page]] = {}
    listed: set[str] = set()
    for section, specs in sections(state, may_set_up=may_set_up).items():
        pages = [st.Page(spec.script, title=spec.title, icon=spec.icon, default=spec == HOME)
                 for spec in specs if (root / spec.script).exists()]
        listed.update(spec.script for spec in specs)
        if pages:
            result[section] = pages
    hidden = []
    if state.active and not may_set_up:
        hidden.append(st.Page(PROCORE_SETUP.script, title=PROCORE_SETUP.title, icon=PROCORE_SETUP.icon,
                              visibility="hidden"))
        listed.add(PROCORE_SETUP.script)
    hidden.extend(off_page(spec, state) for spec in ALL_PAGES
                  if spec.script not in listed and (root / spec.script).exists())
    if hidden:
        result.setdefault("Administration", []).extend(hidden)
    return result
