"""Time clock > Payroll: a board of job-site weeks, reviewed, approved and (with Timesheet) published to Procore.

Cards move by drag and drop or by each card's control (`core.ui.payroll_board`). Publishing a week is
queued as a job; the Timesheet jobs show above the board with their progress. The board opens on the
oldest recent week with time not yet approved, else the current one, and keeps the week picked for the session.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from core.access import Perm
from core.errors import ProcoreConnectError
from core.models.publishing import PublishModule
from core.payroll.board import (
    WEEKDAYS,
    board,
    columns,
    set_week_starts_on,
    timesheets_enabled,
    week_end,
    week_of,
    week_starts_on,
)
from core.payroll.export import export_week
from core.payroll.weeks import board_opening_week
from core.ui import page_guard
from core.ui.flash import show_flash
from core.ui.guard import show_error
from core.ui.job_progress import render_jobs
from core.ui.outcome import show_kept_outcome
from core.ui.payroll_board import PLACE, BoardView, draw_board
from core.ui.widgets import table_with_download

ctx = page_guard(Perm.PAYROLL)
WEEK_KEY, KEPT_WEEK_KEY = "payroll_week", "payroll_week_kept"  # the widget's state goes when another page shows
st.title("Payroll")

with ctx.session() as session:
    starts_on = week_starts_on(session)
    board_columns = columns(session)
    publishing = timesheets_enabled(session)
    if WEEK_KEY not in st.session_state:
        st.session_state[WEEK_KEY] = st.session_state.get(KEPT_WEEK_KEY) or board_opening_week(
            session, today=datetime.now(UTC).date(), starts_on=starts_on)

picker, setting = st.columns([3, 1], vertical_alignment="bottom")
picked = picker.date_input("Pay week", key=WEEK_KEY, format="YYYY-MM-DD")
st.session_state[KEPT_WEEK_KEY] = picked
week = week_of(picked, starts_on)
with setting.popover("Week starts on"):
    weekday = st.selectbox("Pay weeks start on", range(7), index=starts_on, format_func=lambda d: WEEKDAYS[d])
    if weekday != starts_on:
        with ctx.session() as session:
            set_week_starts_on(session, weekday=weekday, actor=ctx.identity)
        st.rerun()
st.caption(f"Week of {week:%A %d %B %Y} to {week_end(week):%A %d %B %Y}. "
           + ("Moving a card to Publish sends its week to Procore Timesheets." if publishing else
              "Enable the Timesheet module on Procore setup to publish weeks to Procore."))

show_kept_outcome(PLACE)
show_flash(PLACE)  # the republish's word
if publishing:
    render_jobs(ctx, PublishModule.TIMESHEET, place="payroll")

try:
    cards = board(ctx.engine, week_start=week)
except ProcoreConnectError as error:
    show_error(error)
    st.stop()
if not cards:
    st.info("No time worked in this week.")
    st.stop()
draw_board(BoardView(ctx=ctx, week=week, columns=board_columns, cards=cards))

st.subheader("Payroll export")
with ctx.session() as session:
    export = export_week(session, week_start=week)
table_with_download(export, name=f"payroll-{week}", empty_message="No hours in this week.")
