"""Publishing from a dashboard: what a person asked for on a job-site day, queued as a job or previewed.

Buttons only record a `Pending` request (in their on_click callback). The
dashboard acts on it near the top of the next script run: a publish becomes a
job (trigger manual) that a worker runs, its progress shown by
`core.ui.job_progress`; a preview is the same request run here as a dry run:
it reads Procore and writes nothing. The preview is kept per dashboard in
session state for the reruns that follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import streamlit as st

from core import outcomes
from core.access import PERMISSION_NAMES
from core.dashboards.preview import changed_in_procore, other_outcomes, planned_changes, problems_frame
from core.dashboards.queries import day_entries
from core.dashboards.views import ModuleView
from core.errors import ProcoreConnectError
from core.models.jobs import JobTrigger
from core.models.publishing import PublishModule
from core.publishing import (
    PublishAction,
    PublishRequest,
    RunReport,
    publish,
    required_permissions,
)
from core.ui.dashboard_keys import Keys
from core.ui.guard import PageContext
from core.ui.job_progress import ACTION_NAMES, queue_publish
from core.ui.outcome import show_outcome
from core.ui.widgets import table_with_download

ACTION_LABELS = ACTION_NAMES
Scope = tuple[int, str]  # job site id, ISO date


@dataclass(frozen=True)
class Pending:
    """An action asked for on one job-site day (or some of its entries), not run yet."""

    scope: Scope
    action: PublishAction
    dry_run: bool = False
    entry_ids: frozenset[int] | None = None

    def request(self, module: PublishModule) -> PublishRequest:
        day = date.fromisoformat(self.scope[1])
        return PublishRequest(module=module, start=day, end=day, action=self.action,
                              job_site_ids=frozenset({self.scope[0]}), entry_ids=self.entry_ids)


@dataclass
class Outcome:
    """A finished run or a preview of one job-site day."""

    scope: Scope
    action: PublishAction
    dry_run: bool
    summary: str
    ok: bool
    run_id: int | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    result: outcomes.Outcome | None = None  # counts per outcome and reasons, as every page shows them


def ask(keys: Keys, pending: Pending) -> None:
    """An on_click callback: remember `pending` for the dashboard to run."""
    st.session_state[keys.pending] = pending


def allowed(ctx: PageContext, action: PublishAction) -> bool:
    """Does the person hold every permission `action` needs?"""
    return all(ctx.can(permission) for permission in required_permissions(action))


def missing(action: PublishAction) -> str:
    """The permissions `action` needs, in words."""
    return "Needs " + " and ".join(f"'{PERMISSION_NAMES[p]}'" for p in required_permissions(action))


def entry_names(view: ModuleView, entries: pd.DataFrame) -> dict[int, str]:
    """Entry id → how people name it ("Northwind Builders · Carpentry")."""
    parts = entries.reindex(columns=list(view.label_columns)).astype(object).where(lambda frame: frame.notna(), None)
    return {int(entry_id): " · ".join(str(part) for part in row if part) or f"#{entry_id}"
            for entry_id, row in zip(entries["id"], parts.itertuples(index=False, name=None), strict=True)}


def run_pending(ctx: PageContext, view: ModuleView, *, company_id: int) -> bool:
    """Act on what was asked for since the last script run, if anything.

    A preview runs here (it reads Procore and writes nothing); a publish is queued as a job, which a
    worker runs (`core.ui.job_progress` shows it). Returns whether a publish was asked for: the page then
    reruns as a whole, so the jobs area shows the new job (or why it was not queued).
    """
    keys = Keys(view.module)
    pending: Pending | None = st.session_state.pop(keys.pending, None)
    if pending is None:
        return False
    if not pending.dry_run:
        st.session_state.pop(keys.preview_result, None)
        queue_publish(ctx, pending.request(view.module), trigger=JobTrigger.MANUAL, place=keys.jobs)
        return True
    with ctx.session() as session:
        entries = day_entries(session, module=view.module, job_site_id=pending.scope[0],
                              day=date.fromisoformat(pending.scope[1]), company_id=company_id)
    _dry_run(ctx, view, pending, entries)
    return False


def _dry_run(ctx: PageContext, view: ModuleView, pending: Pending, entries: pd.DataFrame) -> None:
    keys = Keys(view.module)
    try:
        with st.spinner("Comparing with Procore…"):
            report = publish(ctx.settings, ctx.engine, pending.request(view.module), actor=ctx.identity,
                             dry_run=True)
    except ProcoreConnectError as error:
        st.error(str(error))
        return
    blocked = outcomes.Blocked.of(entries if pending.entry_ids is None else
                                  entries[entries["id"].isin(pending.entry_ids)])
    st.session_state[keys.preview_result] = _outcome_of(pending, report, entry_names(view, entries), blocked)


def _outcome_of(pending: Pending, report: RunReport, names: dict[int, str], blocked: outcomes.Blocked) -> Outcome:
    tables = {
        "changes": planned_changes(report.steps, names),
        "changed_in_procore": changed_in_procore(report.steps, names),
        "nothing_to_write": other_outcomes(report.steps, names),
        "problems": problems_frame(report.problems, names),
    }
    title = f"Preview of {ACTION_LABELS[pending.action]} (nothing was sent)"
    return Outcome(scope=pending.scope, action=pending.action, dry_run=report.dry_run, summary=report.summary(),
                   ok=not (report.problems or report.error), run_id=report.run_id, tables=tables,
                   result=outcomes.of_run_report(report, title=title, blocked=blocked))


def kept_outcome(key: str, scope: Scope) -> Outcome | None:
    """The outcome kept under `key`, when it is about the day `scope`."""
    kept = st.session_state.get(key)
    return kept if isinstance(kept, Outcome) and kept.scope == scope else None


def show_outcomes(keys: Keys, scope: Scope) -> None:
    """The current preview of the day `scope`, if any (publishes show as jobs, `core.ui.job_progress`)."""
    preview = kept_outcome(keys.preview_result, scope)
    if preview is not None and preview.result is not None:
        show_outcome(preview.result)
        _plan_tables(preview, f"{keys.module.value}-preview")


def first_with_content(labels: list[str], counts: list[int]) -> str | None:
    """The label of the first tab with something in it: a result opens where its content is."""
    return next((label for label, count in zip(labels, counts, strict=True) if count), None)


_WRITE_TABS = {"Create": "Created in Procore", "Update": "Updated in Procore", "Delete": "Deleted from Procore"}


def _plan_tables(outcome: Outcome, name: str) -> None:
    """What is (or was) created, updated and deleted, field by field; what changed in Procore; the rest."""
    changes, conflicts = outcome.tables["changes"], outcome.tables["changed_in_procore"]
    others = outcome.tables["nothing_to_write"]
    counts = [*(changes.loc[changes["action"] == action, "entry_id"].nunique() for action in _WRITE_TABS),
              conflicts["entry_id"].nunique(), len(others)]
    labels = [f"{text} ({count})" for text, count in
              zip([*_WRITE_TABS.values(), "Changed in Procore", "Nothing to write"], counts, strict=True)]
    tabs = st.tabs(labels, default=first_with_content(labels, counts))
    for tab, action in zip(tabs[:3], _WRITE_TABS, strict=True):
        with tab:
            table_with_download(changes[changes["action"] == action].drop(columns=["action"]),
                                name=f"{name}-{action.lower()}", empty_message=f"Nothing to {action.lower()}.")
    with tabs[3]:
        table_with_download(conflicts, name=f"{name}-changed-in-procore",
                            empty_message="Nobody changed these entries in Procore since they were published.")
    with tabs[4]:
        table_with_download(others, name=f"{name}-nothing-to-write", empty_message="Every entry writes something.")
