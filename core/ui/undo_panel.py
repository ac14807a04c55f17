"""Undo a publish run from a page: preview what undoing does, confirm in a dialog, see how it ended.

    undo_panel(ctx, run_id)

"Preview undo" reads Procore (list calls only) and shows the plan: how many
records are deleted, restored or written again, and those left alone with the
reason. "Undo run N…" asks in a dialog; yes runs `core.publishing.undo.undo_run`
and says what was done, left alone and failed, grouped by reason
(`core.outcomes.of_undo`). A run undone before says so and does nothing.
Undoing needs the Publish permission (Force publish to take back records
changed in Procore since the run).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access import PERMISSION_NAMES, Perm
from core.dashboards.queries import job_site_labels
from core.errors import ProcoreConnectError
from core.outcomes import of_undo
from core.publishing.undo import UndoPlan, plan_undo, undo_run
from core.ui.confirm import ask, confirm_dialog
from core.ui.flash import show_flash
from core.ui.freshness import written
from core.ui.guard import PageContext
from core.ui.outcome import outcome_written, show_kept_outcome


def undo_panel(ctx: PageContext, run_id: int) -> None:
    """The undo of publish run `run_id` for the person in `ctx` (see the module docstring)."""
    place = f"undo_{run_id}"
    show_flash(place)
    show_kept_outcome(place)
    if not ctx.can(Perm.PUBLISH):
        st.caption(f"Undoing a run needs the '{PERMISSION_NAMES[Perm.PUBLISH]}' permission.")
        return
    force = ctx.can(Perm.FORCE_PUBLISH) and st.checkbox(
        "Also undo records changed in Procore since the run", key=f"{place}_force",
        help="Their changes made in Procore are lost. Approved records are left alone even then.")
    plan_key = f"{place}_plan"
    if st.button(f"Preview undo of run {run_id}", key=f"{place}_preview", icon=":material/undo:"):
        st.session_state[plan_key] = _plan(ctx, run_id, force=force)
    plan: UndoPlan | None = st.session_state.get(plan_key)
    if plan is None:
        return
    _show_plan(ctx, plan)
    if plan.undone_by is None and _to_undo(plan):
        st.button(f"Undo run {run_id}…", key=f"{place}_undo", type="primary", on_click=ask,
                  args=(f"{place}_confirm",))
    confirm_dialog(f"{place}_confirm", title=f"Undo run {run_id}?", yes="Undo the run",
                   body=lambda: st.markdown(_question(plan)),
                   on_yes=lambda: _undo(ctx, run_id, force=force))


def _plan(ctx: PageContext, run_id: int, *, force: bool) -> UndoPlan | None:
    try:
        with st.spinner("Reading Procore…"):
            return plan_undo(ctx.settings, ctx.engine, run_id=run_id, actor=ctx.identity, force=force)
    except ProcoreConnectError as error:
        st.error(str(error))
        return None


def _to_undo(plan: UndoPlan) -> int:
    return sum(item.left_alone is None for item in plan.items)


def _show_plan(ctx: PageContext, plan: UndoPlan) -> None:
    if plan.undone_by is not None:
        st.info(f"Run {plan.run_id} was undone already (by run {plan.undone_by}): there is nothing to undo.")
        return
    if not plan.items:
        st.info(f"Run {plan.run_id} wrote nothing to Procore: there is nothing to undo.")
        return
    counts = ", ".join(f"{count} {kind}" if kind == "left alone" else f"{count} to {kind}"
                       for kind, count in sorted(plan.counts().items(), key=lambda pair: pair[0] == "left alone"))
    st.markdown(f"**Undo of run {plan.run_id}:** {counts}.")
    with ctx.session() as session:
        sites = job_site_labels(session, job_site_ids={item.job_site_id for item in plan.items})
    rows = [{"what": item.kind.value, "job_site": sites.get(item.job_site_id, str(item.job_site_id)),
             "day": item.work_date, "procore_record": item.procore_id, "left_alone": item.left_alone or ""}
            for item in plan.items]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        "what": "What undoing does", "job_site": "Job site", "day": "Day",
        "procore_record": st.column_config.NumberColumn("Procore record", format="%d"),
        "left_alone": "Left alone because"})


def _question(plan: UndoPlan) -> str:
    left = len(plan.items) - _to_undo(plan)
    return (f"{_to_undo(plan)} records in Procore go back to how they were before run {plan.run_id}"
            + (f"; {left} are left alone" if left else "") + ". The undo is recorded as a run of its own.")


def _undo(ctx: PageContext, run_id: int, *, force: bool) -> None:
    place = f"undo_{run_id}"
    st.session_state.pop(f"{place}_plan", None)
    try:
        report = undo_run(ctx.settings, ctx.engine, run_id=run_id, actor=ctx.identity, force=force)
    except ProcoreConnectError as error:
        written(place, str(error), kind="error", rerun=False)
        return
    outcome_written(place, of_undo(report), rerun=False)
