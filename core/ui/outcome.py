"""The one way a page says how work ended: the headline in its tone, then the reasons with counts and fix links.

    show_outcome(of_run_report(report, title="Publish"))   # right away
    outcome_written("time_logs", of_upload(result))         # after a write: kept, the page reruns,
    show_kept_outcome("time_logs")                           # and shows it near the top

The tone and the wording come from `core.outcomes`; this module only draws them.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from core.outcomes import Outcome, Reason, Tone
from core.ui.freshness import forget_cached_data
from core.ui.links import FIX_PAGES, link_to

_SHOW = {Tone.SUCCESS: st.success, Tone.WARNING: st.warning, Tone.ERROR: st.error}
_PREFIX = "outcome_"


def show_outcome(outcome: Outcome) -> None:
    """The headline (green only when everything went), then why the rest did not, grouped."""
    _SHOW[outcome.tone](outcome.headline())
    show_reasons(outcome.reasons)
    if outcome.details:
        with st.expander(f"{outcome.details_title} ({len(outcome.details)})", expanded=True):
            st.markdown("\n".join(f"- {line}" for line in outcome.details))


def show_reasons(reasons: Sequence[Reason]) -> None:
    """Each reason with its count, and a link to the page that fixes it (or what happens to it instead)."""
    for reason in reasons:
        st.markdown(f"- {reason.text} ({reason.count})" + (f" · {reason.hint}" if reason.hint else ""))
        if reason.place is not None:
            page = FIX_PAGES[reason.place]
            link_to(page, label=f"Fix on {page.title}")


def outcome_written(place: str, outcome: Outcome, *, rerun: bool = True) -> None:
    """After a write: forget cached data, keep `outcome` for `show_kept_outcome(place)`, and rerun the page
    (not from a widget callback, which Streamlit reruns anyway: pass `rerun=False` there)."""
    forget_cached_data()
    st.session_state[_PREFIX + place] = outcome
    if rerun:
        st.rerun()


def show_kept_outcome(place: str) -> None:
    """Show the outcome kept for `place`, once, if there is one."""
    kept = st.session_state.pop(_PREFIX + place, None)
    if isinstance(kept, Outcome):
        show_outcome(kept)
