"""Procore > Reconciliation: per job site and day, the time clock's figures against what Procore holds now.

The person picks an enabled module, a week and (optionally) job sites. The
week is reconciled once (`core.reconcile.reconcile`: the time clock refreshed,
Procore read with one list call per project and page) and kept for the
session until the choice changes or "Read Procore again" is pressed; clicking
a day lists the records behind its drift (`core.dashboards.reconciliation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import streamlit as st
from streamlit_calendar import calendar

from core import setup
from core.dashboards import reconciliation as cells
from core.dashboards.calendar import Span, calendar_options, clicked_cell, date_range
from core.dashboards.queries import job_site_labels
from core.dashboards.reconciliation_names import record_names
from core.db import utcnow
from core.errors import ProcoreConnectError
from core.models.publishing import PublishModule
from core.modules.registry import definition
from core.reconcile import Day, Reconciliation, reconcile
from core.ui.guard import PageContext
from core.ui.links import link_to, linked_day
from core.ui.navigation import PROCORE_SETUP

PREFIX = "reconcile_"
MODULE_KEY, DAY_KEY, SITES_KEY, RESULT_KEY = (f"{PREFIX}{name}" for name in ("module", "day", "sites", "result"))
SELECTED_KEY, GENERATION_KEY = f"{PREFIX}selected", f"{PREFIX}generation"
CALENDAR_CSS = """
.fc-event-title { white-space: pre-line; font-size: 0.78rem; line-height: 1.2; }
.fc-daygrid-event { cursor: pointer; }
"""


@dataclass(frozen=True)
class Choice:
    module: PublishModule
    start: date
    end: date
    job_site_ids: tuple[int, ...]  # none: every job site


@dataclass(frozen=True)
class Read:
    """One reconciliation kept for the session, with when it was read and its names."""

    choice: Choice
    result: Reconciliation
    read_at: datetime
    name: cells.Name


def render_reconciliation(ctx: PageContext) -> None:
    """The whole page for the person in `ctx`."""
    st.title("Reconciliation")
    st.caption("Procore against the time clock: per job site and day, our figures beside what Procore holds now "
               "from every source. Days that differ are marked **Drifts** in red; click one to see why.")
    modules, company_id = _ready(ctx)
    with ctx.session() as session:
        sites = job_site_labels(session)
    choice = _controls(modules, sites)
    read = _read(ctx, choice, company_id)
    st.info(cells.summary(read.result.days) + f" Procore read at {read.read_at:%H:%M:%S} UTC "
            f"({read.result.projects} projects).")
    picked = _calendar(read, sites)
    if picked is not None:
        st.session_state[SELECTED_KEY] = picked
    selected = st.session_state.get(SELECTED_KEY)
    day = next((d for d in read.result.days if (d.job_site_id, d.work_date) == selected), None)
    if day is not None:
        _day_panel(read, day, sites.get(day.job_site_id, str(day.job_site_id)))


def _ready(ctx: PageContext) -> tuple[list[PublishModule], int]:
    """The enabled modules and the company; stops the page with what to do while setup is not ready."""
    with ctx.session() as session:
        state = setup.state(session)
    if not (state.active and state.finished and state.company_id is not None and state.modules):
        st.info("Procore setup is not finished: connect a company and choose the modules to publish on "
                "Administration > Procore setup first.")
        link_to(PROCORE_SETUP)
        st.stop()
    assert state.company_id is not None
    return sorted((PublishModule(m) for m in state.modules), key=lambda m: m.value), state.company_id


def _controls(modules: list[PublishModule], sites: dict[int, str]) -> Choice:
    st.session_state.setdefault(DAY_KEY, linked_day())
    row = st.container(horizontal=True, vertical_alignment="bottom")
    module = row.selectbox("Module", modules, format_func=lambda m: definition(m).label, key=MODULE_KEY, width=360)
    day = row.date_input("Week of", key=DAY_KEY, format="YYYY-MM-DD", width=150)
    chosen = row.multiselect("Job sites", list(sites), format_func=sites.__getitem__, key=SITES_KEY,
                             placeholder="Every job site", width=420)
    if row.button("Read Procore again", icon=":material/refresh:", key=f"{PREFIX}again"):
        st.session_state.pop(RESULT_KEY, None)
    start, end = date_range(day if isinstance(day, date) else linked_day(), Span.WEEK)
    st.query_params["date"] = start.isoformat()
    return Choice(PublishModule(module or modules[0]), start, end, tuple(sorted(chosen)))


def _read(ctx: PageContext, choice: Choice, company_id: int) -> Read:
    """The kept reconciliation of `choice`, or a new one (the page stops with the error if Procore fails)."""
    kept: Read | None = st.session_state.get(RESULT_KEY)
    if kept is not None and kept.choice == choice:
        return kept
    try:
        with st.spinner("Reading the time clock and Procore…"):
            result = reconcile(ctx.settings, ctx.engine, module=choice.module, start=choice.start, end=choice.end,
                               job_site_ids=choice.job_site_ids or None)
    except ProcoreConnectError as error:
        st.error(str(error))
        st.stop()
    with ctx.session() as session:
        name = record_names(session, company_id=company_id, ours=result.name)
    read = Read(choice, result, utcnow(), name)
    st.session_state[RESULT_KEY] = read
    st.session_state.pop(SELECTED_KEY, None)
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
    return read


def _calendar(read: Read, sites: dict[int, str]) -> tuple[int, date] | None:
    """The week's job-site days; returns a day newly clicked (the component keeps its last click)."""
    row = st.container(horizontal=True, gap="small")
    row.badge(cells.DRIFTS, color="red", help="Procore and the time clock differ on this day.")
    row.badge(cells.MATCHES, color="green", help="Procore holds what the time clock says.")
    key = calendar_key(read.choice.start, st.session_state.get(GENERATION_KEY, 0))
    options = calendar_options(Span.WEEK, read.choice.start) | {"noEventsText": "No records on either side."}
    value = calendar(events=cells.calendar_events(read.result.days, sites), options=options,
                     custom_css=CALENDAR_CSS, callbacks=["eventClick"], key=key)
    return clicked_cell(value)


def calendar_key(start: date, generation: int) -> str:
    """The calendar's key: each new reading of Procore mounts a fresh calendar (an old click is forgotten)."""
    return f"{PREFIX}calendar_{start.isoformat()}_{generation}"


def _day_panel(read: Read, day: Day, site: str) -> None:
    """The day's figures on both sides and the records behind its drift."""
    st.subheader(f"{site} · {day.work_date:%a %d %b %Y}")
    word = cells.state(day)
    st.badge(word, color="red" if day.drifts else "green")
    st.dataframe(pd.DataFrame(cells.figure_rows(day)), hide_index=True, column_config={
        "figure": "Figure", "time_clock": "Time clock", "procore": "Procore", "difference": "Procore − time clock"})
    rows = cells.detail_rows(day, read.result.record_label, read.name)
    if not rows:
        st.caption("No record differs on this day.")
        return
    st.markdown(f"**Records behind the difference** ({len(rows)})")
    st.dataframe(pd.DataFrame([vars(row) for row in rows]), hide_index=True, width="stretch", column_config={
        "finding": "What", "record": "Record", "differences": "Fields that differ", "note": "Note"})
