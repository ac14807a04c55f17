"""Data mapping's Suggestions panel: name and abbreviation matches, each accepted by a person, never silently.

Shown on the Vendors, Projects and Employees tabs (`core.sync.suggestions`).
Each suggestion says what matched and how sure it is; "Accept" maps that one,
and the slider with its button maps every suggestion at least that sure.
Projects are mapped through `map_projects`, which then auto-maps their cost
codes and classifications; the message after acceptance says what was mapped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import streamlit as st

from core.errors import ProcoreConnectError
from core.models.mapping import Entity
from core.sync.lists import TEXT
from core.sync.suggestions import SUGGESTED, Suggestion, above, accept, suggest
from core.ui.guard import PageContext

SHOWN = 30  # suggestions listed one by one; bulk acceptance covers them all
DEFAULT_THRESHOLD = 0.9
Done = Callable[[str, Sequence[str]], None]  # (message, lines saying what was mapped) → rerun


def suggestions_panel(ctx: PageContext, *, company_id: int, entity: Entity, modules: Iterable[str],
                      editable: bool, done: Done) -> None:
    """The suggestions for `entity`'s unmapped records (nothing for the entities without suggestions)."""
    if entity not in SUGGESTED:
        return
    with ctx.session() as session:
        found = suggest(session, company_id=company_id, entities=[entity])
    text = TEXT[entity]
    with st.expander(f"Suggestions ({len(found)})", expanded=bool(found)):
        if not found:
            st.caption(f"No suggestions: every {text.local} is mapped, or none is close enough by name"
                       + (" or abbreviation." if entity is Entity.COMPANY else "."))
            return
        st.caption(f"Matches by {'abbreviation and ' if entity is Entity.COMPANY else ''}name for "
                   f"{text.locals} not mapped yet, surest first. Nothing is mapped until you accept it.")
        _bulk(ctx, company_id, entity, found, modules, editable, done)
        for suggestion in found[:SHOWN]:
            _one(ctx, company_id, suggestion, modules, editable, done)
        if len(found) > SHOWN:
            st.caption(f"{len(found) - SHOWN} more: accept them above a threshold, or map them in the grid.")


def _bulk(ctx: PageContext, company_id: int, entity: Entity, found: list[Suggestion], modules: Iterable[str],
          editable: bool, done: Done) -> None:
    row = st.container(horizontal=True, vertical_alignment="bottom")
    threshold = row.slider("Accept all at least this sure", 0.6, 1.0, DEFAULT_THRESHOLD, step=0.01,
                           format="percent", key=f"data_mapping_threshold_{entity}", width=320)
    chosen = above(found, threshold)
    if row.button(f"Accept {len(chosen)} at or above {threshold:.0%}", key=f"data_mapping_accept_all_{entity}",
                  disabled=not editable or not chosen):
        _accept(ctx, company_id, chosen, modules, done)


def _one(ctx: PageContext, company_id: int, suggestion: Suggestion, modules: Iterable[str], editable: bool,
         done: Done) -> None:
    row = st.container(horizontal=True, vertical_alignment="center")
    row.markdown(f"{suggestion.local_label} → **{suggestion.procore_label}** · by {suggestion.matched} · "
                 f"{suggestion.confidence:.0%} sure")
    key = f"data_mapping_accept_{suggestion.entity}_{suggestion.local_id}_{suggestion.procore_id}"
    if row.button("Accept", key=key, disabled=not editable):
        _accept(ctx, company_id, [suggestion], modules, done)


def _accept(ctx: PageContext, company_id: int, chosen: list[Suggestion], modules: Iterable[str],
            done: Done) -> None:
    try:
        with ctx.session() as session:
            accepted = accept(session, company_id=company_id, chosen=chosen, actor=ctx.identity, modules=modules)
    except ProcoreConnectError as error:
        st.error(str(error))
        return
    count = len(accepted.mapped)
    done(f"Mapped {count} suggestion{'s' if count != 1 else ''}.", accepted.lines())
