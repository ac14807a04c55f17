"""Time clock > Payroll: a board of job-site weeks, reviewed, approved and (with Timesheet) published to Procore.

Publishing a week (moving its card to Publish, Republish, or out of Publish deleting in Procore) is queued as a
job; the Timesheet jobs show above the board with their progress.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from core.access import Perm
from core.errors import ProcoreConnectError
from core.models.jobs import JobTrigger
from core.models.payroll import BoardColumn
from core.models.publishing import PublishModule, PublishStatus
from core.payroll.board import (
    COLUMN_LABELS,
    WEEKDAYS,
    Card,
    board,
    columns,
    export_week,
    move_card,
    republish_requests,
    set_week_starts_on,
    timesheets_enabled,
    week_end,
    week_of,
    week_starts_on,
)
from core.publishing import STATUS_STYLES, PublishRequest, entries_frame
from core.ui import page_guard
from core.ui.flash import flash, show_flash
from core.ui.guard import show_error
from core.ui.job_progress import queue_publish, render_jobs, worker_ready
from core.ui.widgets import table_with_download

ctx = page_guard(Perm.PAYROLL)
st.title("Payroll")

with ctx.session() as session:
    starts_on = week_starts_on(session)
    board_columns = columns(session)
    publishing = timesheets_enabled(session)

picker, setting = st.columns([3, 1], vertical_alignment="bottom")
last_week = datetime.now(UTC).date() - timedelta(days=7)
picked = picker.date_input("Pay week", value=last_week, key="payroll_week", format="YYYY-MM-DD")
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

show_flash("payroll_moves")
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


def _send(request: PublishRequest) -> None:
    """The board's publishes run as jobs: queued here, run by a worker, shown above the board."""
    queue_publish(ctx, request, trigger=JobTrigger.MANUAL, place="payroll")


def _move(card: Card, to: BoardColumn, delete_in_procore: bool = False) -> None:
    to_procore = to is BoardColumn.PUBLISH or (card.column is BoardColumn.PUBLISH and delete_in_procore)
    if to_procore and not worker_ready(ctx, "payroll"):
        st.rerun()  # the card stays where it is; the page says why
    try:
        move_card(ctx.settings, ctx.engine, job_site_id=card.job_site_id, week_start=week, to=to,
                  actor=ctx.identity, delete_in_procore=delete_in_procore, send=_send)
    except ProcoreConnectError as error:
        show_error(error)
        return
    text = f"{card.number} {card.name} moved to {COLUMN_LABELS[to]}."
    _report(text + (" Its week is queued for Procore." if to_procore else ""))


def _republish(card: Card) -> None:
    if not worker_ready(ctx, "payroll"):
        st.rerun()
    try:
        requests = republish_requests(ctx.engine, job_site_id=card.job_site_id, week_start=week, actor=ctx.identity)
    except ProcoreConnectError as error:
        show_error(error)
        return
    for request in requests:
        _send(request)
    _report(f"{card.number} queued to publish again.")


def _report(text: str) -> None:
    """Say what happened after the rerun that redraws the whole board (the jobs show above it)."""
    flash("payroll_moves", text)
    st.rerun()


def _problems(card: Card) -> None:
    with ctx.session() as session:
        stuck = entries_frame(session, module=PublishModule.TIMESHEET, start=week, end=week_end(week),
                              job_site_ids=[card.job_site_id],
                              statuses=[PublishStatus.FAILED, PublishStatus.NON_PUBLISHABLE])
    if stuck.empty:
        return
    with st.expander(f"Errors ({len(stuck)})"):
        for row in stuck.to_dict("records"):
            st.markdown(f"**{row['employee']}** {row['work_date']} {row['pay_id']} · {row['status_label']}: "
                        + "; ".join(row["reasons"]))


@st.fragment
def _card(card: Card) -> None:
    """One job-site week. Its widgets rerun only the card; a move or republish reruns the whole board."""
    with st.container(border=True, key=f"payroll_card_{card.job_site_id}"):
        st.markdown(f"**{card.number}** {card.name}")
        st.caption(f"{card.hours:g} h · {card.employees} employees")
        if card.statuses:
            st.markdown(" ".join(f":{STATUS_STYLES[status].colour}-badge[{STATUS_STYLES[status].label} {count}]"
                                 for status, count in card.statuses.items()))
        targets = [column for column in board_columns if column is not card.column]
        target = st.selectbox("Move to", targets, index=None, key=f"payroll_move_{card.job_site_id}",
                              format_func=lambda column: COLUMN_LABELS[column], placeholder="Move to…",
                              label_visibility="collapsed")
        delete = False
        if card.column is BoardColumn.PUBLISH:
            delete = st.checkbox("Also delete its entries in Procore", key=f"payroll_delete_{card.job_site_id}",
                                 help="Moving a card out of Publish keeps what Procore holds unless this is ticked.")
            retry = card.statuses.get(PublishStatus.FAILED) or card.statuses.get(PublishStatus.UPDATED)
            if retry and st.button("Republish", key=f"payroll_republish_{card.job_site_id}", icon=":material/replay:"):
                _republish(card)
            _problems(card)
        if target is not None and st.button(f"Move to {COLUMN_LABELS[target]}", key=f"payroll_go_{card.job_site_id}",
                                            type="primary"):
            _move(card, target, delete_in_procore=delete)


for column, area in zip(board_columns, st.columns(len(board_columns)), strict=True):
    # A card left in Publish after Timesheet was turned off shows with the approved ones.
    in_column = [card for card in cards
                 if (card.column if card.column in board_columns else BoardColumn.APPROVED) is column]
    with area:
        st.subheader(f"{COLUMN_LABELS[column]} ({len(in_column)})")
        for card in in_column:
            _card(card)

st.subheader("Payroll export")
with ctx.session() as session:
    export = export_week(session, week_start=week)
table_with_download(export, name=f"payroll-{week}", empty_message="No hours in this week.")
