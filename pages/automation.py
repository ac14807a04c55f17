"""Administration > Automation: each enabled module's scheduled publish, Run now, and its last runs' problems."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import streamlit as st

from core.access import Perm
from core.db import utcnow
from core.errors import ProcoreConnectError
from core.jobs import worker_running
from core.jobs.history import failure_digest
from core.jobs.schedules import MAX_DAYS_BACK, MAX_EVERY_HOURS
from core.jobs.scheduling import ScheduleInput, ScheduleView, run_now, schedules, set_schedule, turn_off
from core.ui import page_guard
from core.ui.flash import flash, show_flash
from core.ui.links import link_to
from core.ui.navigation import PROCORE_SETUP
from core.ui.problems import show_problems

ctx = page_guard(Perm.AUTOMATION)
EVERY, DAILY, OFF = "Every N hours", "Daily at", "Off"
st.title("Automation")
st.caption("Scheduled publishes run on a worker of the job queue: they publish closed time of the last days "
           "(never forcing, never over a record changed in Procore) and retry entries that failed on Procore's "
           "rate limit or while Procore was unavailable.")
if not worker_running(ctx.settings):
    st.warning("No worker is running on this machine: scheduled runs wait until one runs "
               "(`python -m core worker`).")

views = schedules(ctx.engine, now=utcnow())
if not views:
    st.info("No module is enabled yet: enable one on Administration > Procore setup.")
    link_to(PROCORE_SETUP)
    st.stop()


def schedule_form(view: ScheduleView) -> None:
    """The schedule of one module: off, every N hours or daily at HH:MM; the window and the policy."""
    module = view.module.value
    cadence = view.cadence
    current = OFF if not view.active else EVERY if cadence and cadence.every else DAILY
    with st.form(f"automation_{module}"):
        runs = st.radio("Runs", [OFF, EVERY, DAILY], index=[OFF, EVERY, DAILY].index(current), horizontal=True,
                        key=f"automation_{module}_runs")
        left, middle, right = st.columns(3)
        hours = left.number_input("Every (hours)", min_value=1, max_value=MAX_EVERY_HOURS, step=1,
                                  value=int(cadence.every.total_seconds() // 3600) if cadence and cadence.every else 2,
                                  key=f"automation_{module}_hours")
        daily = middle.text_input(f"Daily at (HH:MM, {view.zone})",
                                  value=f"{cadence.daily_at:%H:%M}" if cadence and cadence.daily_at else "02:00",
                                  key=f"automation_{module}_daily")
        days_back = right.number_input("Catch up (last N days)", min_value=1, max_value=MAX_DAYS_BACK, step=1,
                                       value=view.days_back, key=f"automation_{module}_days")
        approved = st.checkbox("Only job-site weeks Approved (or in Publish) on the payroll board",
                               value=view.approved_only, key=f"automation_{module}_approved")
        if st.form_submit_button("Save schedule", type="primary"):
            save(module, runs, f"{int(hours)}h", daily, int(days_back), approved)


def save(module: str, runs: str, every: str, daily: str, days_back: int, approved: bool) -> None:
    try:
        if runs == OFF:
            turn_off(ctx.engine, module=module, actor=ctx.identity)
        else:
            set_schedule(ctx.engine, ScheduleInput(module, every=every if runs == EVERY else None,
                                                   daily=daily if runs == DAILY else None, days_back=days_back,
                                                   approved_only=approved), actor=ctx.identity)
    except ProcoreConnectError as error:
        st.error(str(error))
        return
    flash(f"automation_{module}", "Schedule saved." if runs != OFF else "Schedule turned off.")
    st.rerun()


def digest(view: ScheduleView) -> None:
    """The last scheduled runs' problems, grouped by reason, with the page that fixes each."""
    problems = failure_digest(ctx.engine, module=view.module.value)
    if problems.empty:
        st.caption("The last scheduled runs had no problems.")
        return
    with st.expander(f"Problems of the last scheduled runs ({int(problems['entries'].sum())})",
                     icon=":material/error:"):
        show_problems(problems)


for view in views:
    with st.container(border=True):
        st.subheader(view.label)
        show_flash(f"automation_{view.module.value}")
        described = view.describe()
        st.markdown(f"**{described[:1].upper()}{described[1:]}**")
        if view.next_run is not None:
            st.caption(f"Next run: {view.next_run.astimezone(ZoneInfo(view.zone)):%Y-%m-%d %H:%M} ({view.zone})")
        if view.last_outcome:
            st.caption(f"Last run: {view.last_outcome}")
        schedule_form(view)
        if st.button("Run now", key=f"automation_{view.module.value}_run_now", disabled=not view.active):
            try:
                queued = run_now(ctx.settings, ctx.engine, module=view.module.value, actor=ctx.identity)
                st.success(f"Queued: {', '.join(f'job {job}' for job in queued) or 'nothing to publish'}.")
            except ProcoreConnectError as error:
                st.error(str(error))
        digest(view)
