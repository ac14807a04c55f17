"""One job-site day under a dashboard's calendar: its statuses and actions, and its details when opened.

Details list the day's entries, with Publish, Preview and a more-menu whose
Force publish all asks first (showing what it would overwrite), Republish on
each Failed or Deleted entry, the Errors notification (why entries are Non
publishable, each with a link to the page that fixes it) and each entry's
publishing history. Actions are recorded as `Pending` and run by the
dashboard (`core.ui.publish_runs`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from core.dashboards.calendar import day_actions
from core.dashboards.fixes import FixPlace, error_reasons
from core.dashboards.preview import in_words
from core.dashboards.queries import day_entries
from core.dashboards.reconciliation_names import procore_names
from core.dashboards.views import ModuleView
from core.models.publishing import PublishStatus
from core.publishing import STATUS_STYLES, PublishAction, attempts_frame
from core.publishing.plan import refused_as_changed, retried_by_republish
from core.ui import confirm
from core.ui.confirm import asked, confirm_dialog
from core.ui.dashboard_keys import Keys
from core.ui.guard import PageContext
from core.ui.links import FIX_PAGES, link_to
from core.ui.publish_runs import (
    ACTION_LABELS,
    Outcome,
    Pending,
    Scope,
    allowed,
    ask,
    entry_names,
    kept_outcome,
    missing,
    run_pending,
    show_outcomes,
)
from core.ui.widgets import table_with_download

RETRIED = (PublishStatus.FAILED.value, PublishStatus.DELETED.value)


@dataclass(frozen=True)
class Day:
    """The job-site day shown, and what the person may do to it."""

    view: ModuleView
    keys: Keys
    job_site_id: int
    day: date
    can_publish: bool
    can_force: bool

    @property
    def scope(self) -> Scope:
        return self.job_site_id, self.day.isoformat()

    def allows(self, action: PublishAction) -> bool:
        return self.can_force if action is PublishAction.FORCE_PUBLISH else self.can_publish

    def pending(self, action: PublishAction, *, dry_run: bool = False,
                entry_ids: frozenset[int] | None = None) -> Pending:
        return Pending(self.scope, action, dry_run=dry_run, entry_ids=entry_ids)


def render_day(
    ctx: PageContext, view: ModuleView, *, job_site_id: int, day: date, site: str, company_id: int,
    on_close: Callable[[], None],
) -> None:
    """The day bar (statuses and the actions they allow) and, when opened, the day's details.

    The panel is a fragment: its widgets rerun only the panel, not the calendar and the time-clock refresh
    around it. An action asked for here runs here; one that changed statuses then reruns the whole page so
    the calendar shows them (`on_close` is followed by a whole-page rerun too).
    """
    _panel(ctx, view, job_site_id, day, site, company_id, on_close)


@st.fragment
def _panel(
    ctx: PageContext, view: ModuleView, job_site_id: int, day: date, site: str, company_id: int,
    on_close: Callable[[], None],
) -> None:
    keys = Keys(view.module)
    if run_pending(ctx, view, company_id=company_id):
        st.rerun()
    current = Day(view, keys, job_site_id, day, can_publish=allowed(ctx, PublishAction.PUBLISH),
                  can_force=allowed(ctx, PublishAction.FORCE_PUBLISH))
    with ctx.session() as session:
        entries = day_entries(session, module=view.module, job_site_id=job_site_id, day=day, company_id=company_id)
    with st.container(border=True, key=keys.day_panel):
        top = st.container(horizontal=True, vertical_alignment="center")
        top.subheader(f"{site} · {day:%a %d %b %Y}")
        if top.button("Close", icon=":material/close:", key=keys.close):
            on_close()
            st.rerun()
        _name_preview(ctx, keys, company_id)
        show_outcomes(keys, current.scope)
        if entries.empty:
            st.info("No entries on this day any more.")
            return
        _status_badges(entries["status"])
        _day_actions(current, entries)
        if not current.can_publish:
            st.caption(f"Read-only: {missing(PublishAction.PUBLISH)} to publish; an admin can grant it on "
                       "Administration > Role permissions.")
        if asked(keys.confirm_force) == current.scope:
            _confirm_force(current)
        if st.toggle("Details", key=keys.details):
            _details(ctx, current, entries)


def _name_preview(ctx: PageContext, keys: Keys, company_id: int) -> None:
    """Name the vendors, people and cost codes behind a new preview's Procore ids, once, before it is shown."""
    preview = st.session_state.get(keys.preview_result)
    if not isinstance(preview, Outcome) or st.session_state.get(keys.named_preview) is preview:
        return
    with ctx.session() as session:
        name = procore_names(session, company_id=company_id)
    preview.tables.update({kind: in_words(table, name) for kind, table in preview.tables.items()})
    st.session_state[keys.named_preview] = preview


def _status_badges(statuses: pd.Series) -> None:
    counts = statuses.value_counts()
    row = st.container(horizontal=True, gap="small")
    for status in PublishStatus:
        if counts.get(status.value, 0):
            style = STATUS_STYLES[status]
            row.badge(f"{style.label} {counts[status.value]}", color=style.colour,  # type: ignore[arg-type]
                      help=style.description)


def _day_actions(current: Day, entries: pd.DataFrame) -> None:
    """Publish, Republish or Force publish the whole day, whichever its statuses allow."""
    row = st.container(horizontal=True)
    retried = any(retried_by_republish(status, list(reasons) if isinstance(reasons, list) else [])
                  for status, reasons in zip(entries["status"], entries["reasons"], strict=True))
    for action in day_actions(entries["status"]):
        if action is PublishAction.REPUBLISH and not retried:
            continue  # only refusals for a change in Procore: Republish would repeat them
        permitted = current.allows(action)
        row.button(f"{ACTION_LABELS[action]} day", key=f"{current.keys.day_action}_{action.value}",
                   type="primary" if action is PublishAction.PUBLISH else "secondary", disabled=not permitted,
                   help=None if permitted else missing(action), on_click=_choose, args=(current, action))


def _choose(current: Day, action: PublishAction) -> None:
    """A day action's callback: Force publish asks first (with its preview); the others run."""
    if action is PublishAction.FORCE_PUBLISH:
        _ask_force(current)
    else:
        ask(current.keys, current.pending(action))


def _ask_force(current: Day) -> None:
    """Open the Force publish dialog, with the preview that shows what it would overwrite."""
    confirm.ask(current.keys.confirm_force, current.scope)
    ask(current.keys, current.pending(PublishAction.FORCE_PUBLISH, dry_run=True))


def _confirm_force(current: Day) -> None:
    """Force publish asks first, in a dialog showing what it would overwrite in Procore."""
    keys = current.keys
    confirm_dialog(keys.confirm_force, title="Force publish all?", yes="Yes, force publish all",
                   yes_disabled=not current.can_force, body=lambda: _overwrites(current),
                   on_yes=lambda: ask(keys, current.pending(PublishAction.FORCE_PUBLISH)),
                   on_cancel=lambda: st.session_state.pop(keys.preview_result, None))


def _overwrites(current: Day) -> None:
    keys = current.keys
    st.warning("**Force publish all** overwrites Procore with this day's entries, including changes people "
               "made in Procore since the last publish.")
    preview = kept_outcome(keys.preview_result, current.scope)
    if preview is not None and not preview.tables["changed_in_procore"].empty:
        st.markdown("These fields were changed in Procore and will be overwritten:")
        table_with_download(preview.tables["changed_in_procore"], name=f"{keys.module.value}-force-overwrites",
                            empty_message="")
    elif preview is not None:
        st.caption("Nobody changed these entries in Procore since they were published.")


def _details(ctx: PageContext, current: Day, entries: pd.DataFrame) -> None:
    view, keys = current.view, current.keys
    names = entry_names(view, entries)
    table = entries.reindex(columns=list(view.detail_columns)).assign(
        reasons=entries["reasons"].map(lambda reasons: "; ".join(reasons) if isinstance(reasons, list) else ""))
    table_with_download(table, name=f"{view.module.value}-{current.job_site_id}-{current.day}",
                        empty_message="No entries.", labels=view.detail_columns)
    row = st.container(horizontal=True)
    publishable = PublishAction.PUBLISH in day_actions(entries["status"])
    row.button("Publish", key=keys.details_publish, type="primary", on_click=ask,
               args=(keys, current.pending(PublishAction.PUBLISH)),
               disabled=not (current.can_publish and publishable),
               help=missing(PublishAction.PUBLISH) if not current.can_publish else None)
    row.button("Preview", key=keys.preview, icon=":material/visibility:", disabled=not publishable,
               on_click=ask, args=(keys, current.pending(PublishAction.PUBLISH, dry_run=True)),
               help="What Publish would create, update and delete in Procore; nothing is sent")
    with row.popover("More", icon=":material/more_horiz:"):
        st.button("Force publish all", key=keys.details_force, disabled=not current.can_force,
                  on_click=_ask_force, args=(current,),
                  help=missing(PublishAction.FORCE_PUBLISH) if not current.can_force else
                  "Overwrite Procore with these entries, even where someone changed them in Procore")
    _retry_rows(current, entries, names)
    _errors(view, entries)
    _history(ctx, current, entries, names)


def _retry_rows(current: Day, entries: pd.DataFrame, names: dict[int, str]) -> None:
    """Republish on each Failed or Deleted entry."""
    retried = entries[entries["status"].isin(RETRIED)]
    for entry_id, status, reasons in zip(retried["id"], retried["status"], retried["reasons"], strict=True):
        line = st.container(horizontal=True, vertical_alignment="center")
        style = STATUS_STYLES[PublishStatus(status)]
        why = "; ".join(reasons) if isinstance(reasons, list) and reasons else style.description
        line.markdown(f":{style.colour}-badge[{style.label}] **{names[int(entry_id)]}**: {why}")
        if status == PublishStatus.FAILED.value and refused_as_changed(list(reasons)):
            _conflict_buttons(current, line, int(entry_id))
            continue
        line.button("Republish", key=f"{current.keys.republish}_{entry_id}", disabled=not current.can_publish,
                    help=missing(PublishAction.REPUBLISH) if not current.can_publish else None, on_click=ask,
                    args=(current.keys, current.pending(PublishAction.REPUBLISH, entry_ids=frozenset({int(entry_id)}))))


def _conflict_buttons(current: Day, line: Any, entry_id: int) -> None:
    """Both ways out of a conflict with Procore: ours wins (Force publish) or theirs does (Keep Procore's version)."""
    one = frozenset({entry_id})
    line.button("Force publish", key=f"{current.keys.republish}_force_{entry_id}", disabled=not current.can_force,
                help=missing(PublishAction.FORCE_PUBLISH) if not current.can_force else "Overwrite Procore's change",
                on_click=ask, args=(current.keys, current.pending(PublishAction.FORCE_PUBLISH, entry_ids=one)))
    line.button("Keep Procore's version", key=f"{current.keys.republish}_keep_{entry_id}",
                disabled=not current.can_publish, on_click=ask,
                help=missing(PublishAction.KEEP_PROCORE) if not current.can_publish else
                "Take the record as Procore has it; the next change here publishes again",
                args=(current.keys, current.pending(PublishAction.KEEP_PROCORE, entry_ids=one)))


def _errors(view: ModuleView, entries: pd.DataFrame) -> None:
    """The Errors notification: why entries are Non publishable, each with a link to where it is fixed."""
    reasons = error_reasons(entries)
    if reasons.empty:
        return
    blocked = int((entries["status"] == PublishStatus.NON_PUBLISHABLE.value).sum())
    title = f"Errors: {blocked} {_plural(view.entry_noun, blocked)} cannot be published"
    with st.expander(title, icon=":material/error:"):
        for reason, count, place in reasons.itertuples(index=False, name=None):
            st.markdown(f"- {reason} ({count} {_plural(view.entry_noun, count)})")
            page = FIX_PAGES[FixPlace(place)]
            link_to(page, label=f"Fix on {page.title}")


def _plural(noun: str, count: int) -> str:
    if count == 1:
        return noun
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def _history(ctx: PageContext, current: Day, entries: pd.DataFrame, names: dict[int, str]) -> None:
    """Every attempt to send one entry to Procore, newest first."""
    ids = [int(entry_id) for entry_id in entries["id"]]
    with st.expander("Publishing history"):
        chosen = st.selectbox("Entry", ids, format_func=lambda entry_id: names.get(entry_id, f"#{entry_id}"),
                              key=current.keys.history)
        if chosen is None:
            return
        with ctx.session() as session:
            attempts = attempts_frame(session, entry_id=chosen)
        table_with_download(attempts.drop(columns=["request_body", "resulting_status"]),
                            name=f"{current.view.module.value}-history-{chosen}",
                            empty_message="Never sent to Procore yet.")
