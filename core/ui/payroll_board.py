"""The payroll board drawn: cards dragged between columns, each card's details and controls, the move confirm.

    draw_board(BoardView(ctx=ctx, week=week, columns=board_columns, cards=cards))

Cards move by dragging their short titles (streamlit-sortables) or, from the keyboard, by each card's
"Move to" control; both go through `_ask_or_move`, so they follow the same rules and say the same
things. A move that skips a column, or a drag out of Publish, asks first (`core.ui.confirm`).
Publishing a week (to Publish, Republish, out of Publish deleting in Procore) is queued as a job.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

import streamlit as st
from streamlit_sortables import sort_items

from core.errors import ProcoreConnectError, ValidationError
from core.models.jobs import JobTrigger
from core.models.payroll import BoardColumn
from core.models.publishing import PublishStatus
from core.outcomes import of_move
from core.payroll.board import (
    COLUMN_LABELS,
    Card,
    move_card,
    move_question,
    republish_requests,
    shown_in,
    skipped_columns,
)
from core.payroll.problems import card_problems
from core.publishing import STATUS_STYLES, PublishRequest
from core.ui.confirm import ask, asked, close, confirm_dialog
from core.ui.flash import flash
from core.ui.guard import PageContext, show_error
from core.ui.job_progress import queue_publish, worker_ready
from core.ui.outcome import outcome_written
from core.ui.problems import show_problems

PLACE = "payroll_moves"  # where the board's outcomes are kept (shown by the page above the board)
NOT_QUEUED = "Its week could not be queued for Procore (why is said with the jobs below), so the card stays."
CONFIRM = "payroll_confirm"
DELETE_IN_PROCORE = "Also delete its entries in Procore"
_KEEPS_PROCORE = "Moving a card out of Publish keeps what Procore holds unless this is ticked."
_DRAG = "payroll_drag"
# Columns of one width whatever their cards (a column that grew with a dragged card made the drag jump back
# and forth between two columns), and titles that wrap.
_DRAG_STYLE = """
.sortable-component.vertical .sortable-container { flex: 1 1 0; min-width: 0; }
.sortable-component .sortable-item { text-align: left; white-space: normal; overflow-wrap: anywhere;
  font-size: 0.85rem; }
"""


@dataclass(frozen=True)
class BoardView:
    """The board of one pay week as drawn: who looks, the week, the columns shown and the cards."""

    ctx: PageContext
    week: date
    columns: tuple[BoardColumn, ...]
    cards: list[Card]


@dataclass(frozen=True)
class PendingMove:
    """A move waiting for the person's answer (`CONFIRM` in session state)."""

    job_site_id: int
    to: BoardColumn


def draw_board(view: BoardView) -> None:
    """The cards to drag, each column's detailed cards, then the confirm while a move waits.

    The confirm comes last so that opening it moves no element of the board (a moved drag board would be
    drawn a second time, beside the one left behind).
    """
    _drag(view)
    for column, area in zip(view.columns, st.columns(len(view.columns)), strict=True):
        in_column = [card for card in view.cards if shown_in(card, view.columns) is column]
        with area:
            st.subheader(f"{COLUMN_LABELS[column]} ({len(in_column)})")
            for card in in_column:
                _card(view, card)
    _confirm(view)


def _title(card: Card) -> str:
    """A card's short title on the drag board: number, name, hours and its entries per status."""
    statuses = "".join(f" · {STATUS_STYLES[status].label} {count}" for status, count in card.statuses.items())
    return f"{card.number} {card.name} · {card.hours:g} h{statuses}"


def _dropped(view: BoardView, containers: list[dict[str, object]]) -> tuple[Card, BoardColumn] | None:
    """The card the drag board shows in another column than the board holds, and that column."""
    by_title, by_header = {_title(card): card for card in view.cards}, {COLUMN_LABELS[c]: c for c in view.columns}
    for container in containers:
        column = by_header.get(str(container.get("header")))
        items = container.get("items")
        for item in items if isinstance(items, list) else []:
            card = by_title.get(str(item))
            if column is not None and card is not None and shown_in(card, view.columns) is not column:
                return card, column
    return None


def _drag(view: BoardView) -> None:
    """The short titles in their columns; a card dropped in another column is moved (or the move asked)."""
    containers: list[dict[str, object]] = [
        {"header": COLUMN_LABELS[column],
         "items": [_title(card) for card in view.cards if shown_in(card, view.columns) is column]}
        for column in view.columns]
    # The component keeps its own order once drawn: a new key redraws it from the board whenever the board
    # changes, and after each drop (so a cancelled move shows the card back where it was).
    digest = hashlib.sha256(json.dumps(containers).encode()).hexdigest()[:12]
    generation = int(st.session_state.get(f"{_DRAG}_generation", 0))
    result = sort_items(containers, multi_containers=True, direction="vertical", custom_style=_DRAG_STYLE,
                        key=f"{_DRAG}_{view.week}_{generation}_{digest}")
    move = _dropped(view, result) if isinstance(result, list) else None
    if move is not None:
        st.session_state[f"{_DRAG}_generation"] = generation + 1
        _ask_or_move(view, *move, dragged=True)


def _ask_or_move(view: BoardView, card: Card, to: BoardColumn, *, dragged: bool, delete: bool = False) -> None:
    """Move at once, or ask first when the move skips a column or a drag takes a card out of Publish."""
    skipped = skipped_columns(shown_in(card, view.columns), to, view.columns)
    if skipped or (dragged and card.column is BoardColumn.PUBLISH):
        ask(CONFIRM, PendingMove(job_site_id=card.job_site_id, to=to))
        st.rerun()
    _move(view, card, to, delete_in_procore=delete)


def _confirm(view: BoardView) -> None:
    """While a move waits for an answer: its question (and, out of Publish, whether to delete in Procore)."""
    pending = asked(CONFIRM)
    card = next((card for card in view.cards if isinstance(pending, PendingMove)
                 and card.job_site_id == pending.job_site_id), None)
    if card is None or not isinstance(pending, PendingMove):
        close(CONFIRM)
        return
    source = shown_in(card, view.columns)

    def body() -> None:
        st.markdown(move_question(card, source, pending.to, skipped_columns(source, pending.to, view.columns)))
        if card.column is BoardColumn.PUBLISH:
            st.checkbox(DELETE_IN_PROCORE, key=f"{CONFIRM}_delete", help=_KEEPS_PROCORE)

    def yes() -> None:
        _move(view, card, pending.to, delete_in_procore=bool(st.session_state.get(f"{CONFIRM}_delete")))

    confirm_dialog(CONFIRM, title="Move a card", body=body, yes="Move", on_yes=yes)


def _send(view: BoardView, request: PublishRequest) -> None:
    """The board's publishes run as jobs: queued here, run by a worker, shown above the board.

    Raises:
        ValidationError: the job was refused (why is flashed with the jobs), so the card must stay.
    """
    if queue_publish(view.ctx, request, trigger=JobTrigger.MANUAL, place="payroll") is None:
        raise ValidationError(NOT_QUEUED)


def _move(view: BoardView, card: Card, to: BoardColumn, *, delete_in_procore: bool = False) -> None:
    to_procore = to is BoardColumn.PUBLISH or (card.column is BoardColumn.PUBLISH and delete_in_procore)
    if to_procore and not worker_ready(view.ctx, "payroll"):
        st.rerun()  # the card stays where it is; the page says why
    name = f"{card.number} {card.name}"
    try:
        move_card(view.ctx.settings, view.ctx.engine, job_site_id=card.job_site_id, week_start=view.week, to=to,
                  actor=view.ctx.identity, delete_in_procore=delete_in_procore,
                  send=lambda request: _send(view, request))
    except ProcoreConnectError as error:
        outcome_written(PLACE, of_move(name, COLUMN_LABELS[to], refused=str(error)))
        return
    outcome_written(PLACE, of_move(name, COLUMN_LABELS[to], queued=to_procore))


def _republish(view: BoardView, card: Card) -> None:
    if not worker_ready(view.ctx, "payroll"):
        st.rerun()
    try:
        requests = republish_requests(view.ctx.engine, job_site_id=card.job_site_id, week_start=view.week,
                                      actor=view.ctx.identity)
    except ProcoreConnectError as error:
        show_error(error)
        return
    for request in requests:
        _send(view, request)
    _report(f"{card.number} queued to publish again.")


def _report(text: str) -> None:
    """Say what happened after the rerun that redraws the whole board (the jobs show above it)."""
    flash(PLACE, text)
    st.rerun()


def _problems(view: BoardView, card: Card) -> None:
    """Why the card's entries are stuck: each reason once with its count and the page that fixes it."""
    with view.ctx.session() as session:
        stuck, reasons = card_problems(session, job_site_id=card.job_site_id, week_start=view.week)
    if stuck:
        with st.expander(f"Errors ({stuck})"):
            show_problems(reasons)


@st.fragment
def _card(view: BoardView, card: Card) -> None:
    """One job-site week. Its widgets rerun only the card; a move or republish reruns the whole board."""
    with st.container(border=True, key=f"payroll_card_{card.job_site_id}"):
        st.markdown(f"**{card.number}** {card.name}")
        st.caption(f"{card.hours:g} h · {card.employees} employees")
        if card.statuses:
            st.markdown(" ".join(f":{STATUS_STYLES[status].colour}-badge[{STATUS_STYLES[status].label} {count}]"
                                 for status, count in card.statuses.items()))
        targets = [column for column in view.columns if column is not card.column]
        target = st.selectbox("Move to", targets, index=None, key=f"payroll_move_{card.job_site_id}",
                              format_func=lambda column: COLUMN_LABELS[column], placeholder="Move to…",
                              label_visibility="collapsed")
        delete = False
        if card.column is BoardColumn.PUBLISH:
            delete = st.checkbox(DELETE_IN_PROCORE, key=f"payroll_delete_{card.job_site_id}", help=_KEEPS_PROCORE)
            retry = card.statuses.get(PublishStatus.FAILED) or card.statuses.get(PublishStatus.UPDATED)
            if retry and st.button("Republish", key=f"payroll_republish_{card.job_site_id}", icon=":material/replay:"):
                _republish(view, card)
            _problems(view, card)
        if target is not None and st.button(f"Move to {COLUMN_LABELS[target]}", key=f"payroll_go_{card.job_site_id}",
                                            type="primary"):
            _ask_or_move(view, card, target, dragged=False, delete=delete)
