"""A message that survives the rerun showing what an action did: kept in session state, shown once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import streamlit as st

Kind = Literal["success", "info", "warning", "error"]
_PREFIX = "flash_"


@dataclass(frozen=True)
class Flash:
    """One message waiting for the next script run of its place."""

    text: str
    kind: Kind = "success"
    details: tuple[str, ...] = ()
    details_title: str = ""


def flash(place: str, text: str, *, kind: Kind = "success", details: Sequence[str] = (),
          details_title: str = "") -> None:
    """Keep `text` for `show_flash(place)` to show on a later run (typically right after `st.rerun()`).

    `details` are listed under it in an open expander titled `details_title`.
    """
    st.session_state[_PREFIX + place] = Flash(text, kind, tuple(details), details_title)


def show_flash(place: str) -> None:
    """Show the message kept for `place`, once, if there is one."""
    kept = st.session_state.pop(_PREFIX + place, None)
    if not isinstance(kept, Flash):
        return
    {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}[kept.kind](kept.text)
    if kept.details:
        with st.expander(kept.details_title or f"Details ({len(kept.details)})", expanded=True):
            st.markdown("\n".join(f"- {line}" for line in kept.details))
