"""Procore > Run history: every publish (manual, range, scheduled, command line), filtered, with a run's problems."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from core.db import utcnow
from core.jobs.history import HistoryFilter, run_history, with_counts_text
from core.jobs.outcome import history_outcome
from core.models.jobs import JobState, JobTrigger
from core.models.publishing import PublishModule
from core.modules.registry import definition
from core.publishing import attempts_frame
from core.publishing.undo import UNDO_PREFIX
from core.ui import page_guard
from core.ui.links import link_to
from core.ui.outcome import show_outcome
from core.ui.undo_panel import undo_panel
from core.ui.widgets import table_with_download

ctx = page_guard()
ANY = "Any"
LABELS = {"started": "Started (UTC)", "job_id": "Job", "entries": "Entries"}
SHOWN = ["started", "trigger", "who", "module", "action", "scope", "state", "entries", "job_id"]
st.title("Run history")
st.caption("Every publish: from the dashboards, the payroll board, schedules and the command line. Pick a run to "
           "see its outcome, its problems grouped, and every entry it sent.")

row = st.container(horizontal=True, vertical_alignment="bottom")
module = row.selectbox("Module", [ANY, *(module.value for module in PublishModule)], key="run_history_module",
                       format_func=lambda value: value if value == ANY else definition(value).label)
trigger = row.selectbox("Trigger", [ANY, *(trigger.value for trigger in JobTrigger)], key="run_history_trigger")
state = row.selectbox("State", [ANY, *(state.value for state in JobState)], key="run_history_state")
today = utcnow().date()
days = row.date_input("Started between", value=(today - timedelta(days=7), today), key="run_history_days",
                      format="YYYY-MM-DD")
since, until = (days[0], days[-1]) if isinstance(days, tuple) and days else (None, None)

history = run_history(ctx.engine, HistoryFilter(
    module=None if module == ANY else module, trigger=None if trigger == ANY else trigger,
    state=None if state == ANY else state, since=since if isinstance(since, date) else None,
    until=until if isinstance(until, date) else None))
table_with_download(with_counts_text(history), name="run-history", empty_message="No runs match these filters.",
                    labels={name: LABELS.get(name, name.replace("_", " ").capitalize()) for name in SHOWN},
                    columns=SHOWN)  # fits the page; the CSV has every column


def describe(index: int) -> str:
    run = history.iloc[index]
    number = f"job {run['job_id']}" if pd.notna(run["job_id"]) else f"run {run['run_id']}"
    return f"{number} · {run['trigger']} · {run['module']} {run['action']} {run['scope']} · {run['state']}"


if not history.empty:
    chosen = st.selectbox("Run", range(len(history)), format_func=describe, key="run_history_run")
    picked = history.iloc[chosen or 0]
    run_id = int(picked["run_id"]) if pd.notna(picked["run_id"]) else None
    st.subheader("Outcome")
    show_outcome(history_outcome(ctx.engine, job_id=int(picked["job_id"]) if pd.notna(picked["job_id"]) else None,
                                 run_id=run_id, title=describe(chosen or 0)))
    st.subheader("Entries sent")
    if run_id is not None:
        with ctx.session() as session:
            attempts = attempts_frame(session, run_id=run_id)
        table_with_download(attempts.drop(columns=["request_body", "resulting_status"]), name=f"run-{run_id}",
                            empty_message="This run sent nothing to Procore.")
    else:
        st.caption("This job has not sent anything yet.")
    if run_id is not None and not str(picked["action"]).startswith(UNDO_PREFIX):
        st.subheader("Undo this run")
        undo_panel(ctx, run_id)
    page = definition(str(picked["module"])).page
    if page is not None:
        first_day = str(picked["scope"])[:10]  # scopes start with their first date, like 2026-11-16
        dated = first_day[:4].isdigit()
        link_to(page, label=f"Open {page.title}" + (f" at {first_day}" if dated else "") +
                ": each entry's history is in its day's details", query_params={"date": first_day} if dated else None)
