"""The getting-started steps as the home page shows them: done or not, what is missing, where to do it."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from core.getting_started import Step, next_step
from core.ui.navigation import ALL_PAGES, PageSpec

DONE, TO_DO = ":material/check_circle:", ":material/radio_button_unchecked:"


def show_steps(found: list[Step]) -> None:
    """Each step in a box: its number, title and state, and a link to the page where it is done."""
    done = sum(step.done for step in found)
    coming = next_step(found)
    st.progress(done / len(found), text=f"{done} of {len(found)} steps done")
    if coming is None:
        st.success("All steps are done: Procore Connect publishes to Procore.")
    for number, step in enumerate(found, start=1):
        with st.container(border=True):
            _step(number, step, is_next=step is coming)


def _step(number: int, step: Step, *, is_next: bool) -> None:
    icon = DONE if step.done else TO_DO
    state = "Done" if step.done else ("Next step" if is_next else "Not done")
    left, right = st.columns([3, 1])
    left.markdown(f"{icon} **{number}. {step.title}** · {state}")
    left.caption(step.detail)
    with right:
        _link(_spec(step.script), is_next=is_next)


def _spec(script: str) -> PageSpec:
    return next(spec for spec in ALL_PAGES if spec.script == script)


def _link(spec: PageSpec, *, is_next: bool) -> None:
    """A link to `spec`'s page; while the page is off its link is shown disabled (the steps above turn it on)."""
    label = f"Go to {spec.title}" if is_next else f"Open {spec.title}"
    try:
        st.page_link(spec.script, label=label, icon=spec.icon)
    except StreamlitAPIException:
        st.caption(f"{spec.title} opens once the steps above are done.")
