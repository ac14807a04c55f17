"""Editing one time-clock record on its list page (a time log, a production quantity): choose it, save the
form, delete it after a confirmation. Every outcome is kept for the page's next run (`core.ui.flash`), and
every write drops what the pages cached (`core.ui.freshness`), so the list above shows the change at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st
from sqlmodel import Session

from core.errors import ProcoreConnectError
from core.ui.confirm import ask, confirm_dialog
from core.ui.flash import flash
from core.ui.freshness import forget_cached_data, written
from core.ui.guard import PageContext


def chosen_record(labels: Mapping[int, str], *, label: str, key: str, linked_by: str | None = None) -> int:
    """The record picked in a select box of `labels` (at least one); a link's `?<linked_by>=<id>` preselects it."""
    ids = list(labels)
    linked = st.query_params.get(linked_by) if linked_by else None
    index = ids.index(int(linked)) if linked and linked.isdigit() and int(linked) in labels else 0
    chosen = st.selectbox(label, ids, index=index, format_func=labels.__getitem__, key=key)
    assert chosen is not None  # a choice among at least one record
    return int(chosen)


def save_changes(ctx: PageContext, *, place: str, save: Callable[[Session], object], saved: str) -> None:
    """Run `save` (the form's submit was pressed): its refusal is shown under the form, as typed; a saved
    record reruns the page with `saved` above it."""
    try:
        with ctx.session() as session:
            save(session)
    except ProcoreConnectError as error:
        st.error(str(error))
    else:
        written(place, saved)


def delete_button(ctx: PageContext, *, place: str, noun: str, record_id: int, key: str,
                  delete: Callable[[Session], object]) -> None:
    """"Delete this <noun>", asked once more in a dialog; the outcome shows at the top of the page."""

    def confirmed() -> None:
        try:
            with ctx.session() as session:
                delete(session)
        except ProcoreConnectError as error:
            flash(place, str(error), kind="error")
        else:
            forget_cached_data()
            flash(place, f"{noun.capitalize()} #{record_id} deleted.")

    confirm_key = f"{key}_confirm_delete_{record_id}"
    st.button(f"Delete this {noun}", key=f"{key}_delete_{record_id}", on_click=ask, args=(confirm_key,))
    confirm_dialog(confirm_key, title=f"Delete this {noun}?", yes="Yes, delete", on_yes=confirmed,
                   body=lambda: st.warning(f"Delete {noun} #{record_id}? "
                                           "Entries published from it will be marked Deleted."))
