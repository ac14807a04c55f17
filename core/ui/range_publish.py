"""Range publishes on a dashboard: "Publish week" (or month) and "Publish selected job sites".

Each opens a confirmation first: what Publish would do, counted from the stored
entries (creates, updates, deletes, what it leaves as it is) and the Non
publishable reasons grouped (`core.dashboards.range`). Confirming queues one job
(trigger range) that a worker runs; `core.ui.job_progress` shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from core.dashboards.calendar import Span
from core.dashboards.range import RangeSummary, range_summary
from core.dashboards.views import ModuleView
from core.models.jobs import JobTrigger
from core.publishing import PublishAction, PublishRequest
from core.ui import confirm
from core.ui.confirm import confirm_dialog
from core.ui.dashboard_keys import Keys
from core.ui.guard import PageContext
from core.ui.job_progress import queue_publish
from core.ui.publish_runs import allowed, missing

SPAN_NOUNS = {Span.WEEK: "week", Span.MONTH: "month"}


@dataclass(frozen=True)
class RangeAsk:
    """A range publish waiting for its confirmation: the dates, and the job sites (None: all of them)."""

    start: date
    end: date
    job_site_ids: tuple[int, ...] | None
    title: str

    def request(self, view: ModuleView) -> PublishRequest:
        sites = frozenset(self.job_site_ids) if self.job_site_ids is not None else None
        return PublishRequest(module=view.module, start=self.start, end=self.end, action=PublishAction.PUBLISH,
                              job_site_ids=sites)


def range_buttons(ctx: PageContext, view: ModuleView, *, start: date, end: date, span: Span,
                  site_ids: Sequence[int]) -> None:
    """The two range buttons (for the whole span, and for `site_ids`: the job sites selected or filtered),
    and the confirmation one of them opened."""
    keys = Keys(view.module)
    permitted = allowed(ctx, PublishAction.PUBLISH)
    refused = missing(PublishAction.PUBLISH) if not permitted else None
    noun = SPAN_NOUNS[Span(span)]
    row = st.container(horizontal=True)
    row.button(f"Publish {noun}", key=keys.publish_range, icon=":material/publish:", disabled=not permitted,
               help=refused or f"Every job site of this {noun}; a summary shows first",
               on_click=confirm.ask, args=(keys.confirm_range, RangeAsk(start, end, None, f"Publish the {noun}")))
    row.button(f"Publish selected job sites ({len(site_ids)})", key=keys.publish_sites,
               disabled=not (permitted and site_ids),
               help=refused or "The job sites selected in the list (or left by the status filter)",
               on_click=confirm.ask, args=(keys.confirm_range, RangeAsk(
                   start, end, tuple(sorted(site_ids)), f"Publish {len(site_ids)} job sites")))
    asked = confirm.asked(keys.confirm_range)
    if isinstance(asked, RangeAsk):
        _confirm(ctx, view, asked)


def _confirm(ctx: PageContext, view: ModuleView, asked: RangeAsk) -> None:
    keys = Keys(view.module)
    with ctx.session() as session:
        summary = range_summary(session, module=view.module, start=asked.start, end=asked.end,
                                job_site_ids=asked.job_site_ids)
    confirm_dialog(keys.confirm_range, title=f"{asked.title}?", yes="Queue the publish",
                   yes_disabled=not summary.writes, body=lambda: _summary(asked, summary),
                   on_yes=lambda: _queue(ctx, view, asked))


def _queue(ctx: PageContext, view: ModuleView, asked: RangeAsk) -> None:
    queue_publish(ctx, asked.request(view), trigger=JobTrigger.RANGE, place=Keys(view.module).jobs)


def _summary(asked: RangeAsk, summary: RangeSummary) -> None:
    sites = "all job sites" if asked.job_site_ids is None else f"{len(asked.job_site_ids)} selected job sites"
    st.markdown(f"**{summary.entries} entries** on {summary.job_sites} job sites ({sites}), "
                f"{asked.start:%a %d %b} to {asked.end:%a %d %b %Y}. **{summary.writes}** would be sent to Procore.")
    st.dataframe(summary.operations, hide_index=True,
                 column_config={"operation": "What Publish does", "entries": "Entries"})
    if not summary.reasons.empty:
        st.markdown(f"**Non publishable** ({int(summary.reasons['entries'].sum())} entries), by reason:")
        st.dataframe(summary.reasons[["reason", "entries"]], hide_index=True,
                     column_config={"reason": "Reason", "entries": "Entries"})
    st.caption("Counted from the stored entries, without asking Procore. The job reads Procore as it runs: a "
               "record someone changed there is skipped, and one Procore already holds is adopted, not created.")
    if not summary.writes:
        st.info("Nothing to publish in this range.")
