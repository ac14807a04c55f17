"""Confirmations as dialogs: a button asks, the dialog stays open while its session-state key is set.

The dialog is opened from the key rather than from the asking button's click, so
it survives the reruns its own widgets cause, and AppTest (which always reruns
the whole script) can act inside it. Yes and Cancel close it with a full rerun.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st


def ask(key: str, value: Any = True) -> None:
    """Open the confirmation kept under `key` (usable as an on_click callback); `value` says what it is about."""
    st.session_state[key] = value


def asked(key: str) -> Any:
    """What the open confirmation under `key` is about, or None when none is open."""
    return st.session_state.get(key)


def close(key: str) -> None:
    """Close the confirmation under `key` without acting."""
    st.session_state.pop(key, None)


def confirm_dialog(
    key: str, *, title: str, body: Callable[[], object], yes: str, on_yes: Callable[[], None],
    on_cancel: Callable[[], None] | None = None, yes_disabled: bool = False,
) -> None:
    """While `key` is set, show a dialog: `body`, then `yes` (runs `on_yes`) and Cancel.

    Both buttons close the dialog and rerun the whole page, so what `on_yes` changed shows at once;
    `on_yes` reports its outcome through `core.ui.flash`. Its buttons are keyed `<key>_yes` and `<key>_no`.
    """
    if asked(key) is None:
        return

    def cancel() -> None:
        close(key)
        if on_cancel is not None:
            on_cancel()

    def content() -> None:
        body()
        row = st.container(horizontal=True)
        if row.button(yes, key=f"{key}_yes", type="primary", disabled=yes_disabled):
            close(key)
            on_yes()
            st.rerun()
        if row.button("Cancel", key=f"{key}_no"):
            cancel()
            st.rerun()

    st.dialog(title, width="large", on_dismiss=cancel)(content)()
