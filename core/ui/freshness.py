"""Pages never show stale data: every write goes through `written`, which drops what the pages cached.

Pages read the database on every run (dashboards, time logs, quantities), so the
only answers kept between runs are `st.cache_data` ones (the Procore companies a
connection reaches). `written` clears them all, then reruns the page when asked,
so an action taken below a summary shows in that summary at once instead of on
the run after. `st.cache_resource` keeps only the engine, which holds no data.
"""

from __future__ import annotations

import streamlit as st

from core.ui.flash import Kind, flash


def forget_cached_data() -> None:
    """Drop every cached data answer: the next run reads the database and Procore again."""
    st.cache_data.clear()


def written(place: str, text: str, *, kind: Kind = "success", details: tuple[str, ...] = (),
            rerun: bool = True) -> None:
    """After a write: forget cached data, keep `text` for `show_flash(place)`, and rerun the page
    (not from a widget callback, which Streamlit reruns anyway: pass `rerun=False` there)."""
    forget_cached_data()
    flash(place, text, kind=kind, details=details)
    if rerun:
        st.rerun()
