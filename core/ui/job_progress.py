"""Publish jobs on a page: queueing one, and each queued or running job of a module with its progress.

Progress is read from the database (`PublishJob`), every few seconds, in a
fragment: it is the same for every tab and every person, and it is still there
after the tab was closed or the app restarted. A queued or running job has a
Cancel button; an ended one says how it ended for a while, with counts per outcome
and the Non publishable entries of its scope (`core.jobs.outcome`). When a job ends the
whole page reruns, so calendars and cards show the new statuses.

    job_id = queue_publish(ctx, request, trigger=JobTrigger.MANUAL, place="manpower_dash")
    render_jobs(ctx, view.module, place="manpower_dash")
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from core.dashboards.queries import job_site_labels
from core.db import utcnow
from core.errors import ProcoreConnectError
from core.jobs import ACTIVE, cancel, enqueue_publish, module_jobs, worker_running
from core.jobs.outcome import job_outcome
from core.models.jobs import JobState, JobTrigger, PublishJob
from core.models.publishing import PublishModule
from core.outcomes import Outcome
from core.publishing import PublishAction, PublishRequest
from core.ui.flash import flash, show_flash
from core.ui.guard import PageContext
from core.ui.outcome import show_outcome

POLL_ACTIVE = 2.0  # seconds between two readings while a job is queued or running
POLL_IDLE = 10.0  # seconds between two readings otherwise (someone else may start one)
SHOWN_FOR = timedelta(minutes=15)  # how long an ended job's outcome stays on the page
ACTION_NAMES = {PublishAction.PUBLISH: "Publish", PublishAction.REPUBLISH: "Republish",
                PublishAction.FORCE_PUBLISH: "Force publish", PublishAction.UNPUBLISH: "Delete in Procore",
                PublishAction.KEEP_PROCORE: "Keep Procore's version"}
NO_WORKER = ("No publish worker is running, so nothing was queued. Start one with `python -m core worker` "
             "(the app starts one itself on its built-in queue; with JOBS_URL, workers run separately).")


def queue_publish(ctx: PageContext, request: PublishRequest, *, trigger: JobTrigger, place: str) -> int | None:
    """Queue `request` as a job if a worker can run it; the outcome is flashed to `place` either way.

    Returns the job's id, or None when nothing was queued (no worker running, or the job was refused).
    """
    if not worker_ready(ctx, place):
        return None
    try:
        job_id = enqueue_publish(ctx.settings, ctx.engine, request, actor=ctx.identity, trigger=trigger)
    except ProcoreConnectError as error:
        flash(place, str(error), kind="error")
        return None
    flash(place, f"Queued job #{job_id}: {ACTION_NAMES[request.action]}. Its progress shows here; "
          "it goes on if you close this tab.", kind="info")
    return job_id


def worker_ready(ctx: PageContext, place: str) -> bool:
    """Whether a worker runs to take a job; when none does, the page's `place` is told so."""
    if worker_running(ctx.settings):
        return True
    flash(place, NO_WORKER, kind="error")
    return False


def render_jobs(ctx: PageContext, module: PublishModule, *, place: str) -> None:
    """The flashed outcome of the last queueing, then the module's jobs, polled from the database."""
    show_flash(place)
    active = any(job.state in ACTIVE for job in _jobs(ctx, module))
    st.fragment(_jobs_panel, run_every=POLL_ACTIVE if active else POLL_IDLE)(ctx, module, place)


def _jobs(ctx: PageContext, module: PublishModule) -> list[PublishJob]:
    return module_jobs(ctx.engine, module=PublishModule(module).value, ended_since=utcnow() - SHOWN_FOR)


def _jobs_panel(ctx: PageContext, module: PublishModule, place: str) -> None:
    jobs = _jobs(ctx, module)
    running = {job.id for job in jobs if job.state in ACTIVE}
    seen_key = f"{place}_jobs_seen"
    ended_since_seen = set(st.session_state.get(seen_key, set())) - running
    st.session_state[seen_key] = running
    if ended_since_seen:
        st.rerun()  # the whole page: what the ended jobs changed shows everywhere on it
    if not jobs:
        return
    if running and not worker_running(ctx.settings):
        st.warning("No publish worker is running: queued jobs wait until one starts (`python -m core worker`).")
    with ctx.session() as session:
        sites = job_site_labels(session)
    for job in jobs:
        if job.state in ACTIVE:
            _active(ctx, job, describe(job, sites), place)
        else:
            show_outcome(_ended(ctx, job, describe(job, sites), place))


def _active(ctx: PageContext, job: PublishJob, text: str, place: str) -> None:
    with st.container(border=True, key=f"{place}_job_{job.id}"):
        line = st.container(horizontal=True, vertical_alignment="center")
        stopping = job.cancel_requested_by is not None
        state = "stopping" if stopping else "queued" if job.state != JobState.RUNNING else "running"
        line.markdown(f"**{text}** · {state} · asked by {job.requested_by}")
        line.button("Cancel", key=f"{place}_job_cancel_{job.id}", icon=":material/cancel:", disabled=stopping,
                    on_click=_cancel, args=(ctx, job.id, place),
                    help="A queued job never starts; a running one stops after the writes in flight")
        if job.state == JobState.RUNNING and job.total:
            st.progress(min(job.done / job.total, 1.0), text=f"{job.done} of {job.total}: {job.summary}")
        elif job.state == JobState.RUNNING:
            st.caption("Reading Procore…")
        else:
            st.caption("Waiting for a worker…" if job.state == JobState.QUEUED else
                       f"Its worker stopped answering; it runs again. {job.error or ''}")


def _ended(ctx: PageContext, job: PublishJob, title: str, place: str) -> Outcome:
    """How the ended `job` went, read once per session: its counts never change, and the Non publishable
    entries of its scope are counted when it is first shown (about 40 ms a reading; the panel polls every
    few seconds)."""
    key = f"{place}_job_outcome_{job.id}"
    if not isinstance(st.session_state.get(key), Outcome):
        st.session_state[key] = job_outcome(ctx.engine, job, title=title)
    kept: Outcome = st.session_state[key]
    return kept


def _cancel(ctx: PageContext, job_id: int | None, place: str) -> None:
    assert job_id is not None
    try:
        state = cancel(ctx.settings, ctx.engine, job_id, actor=ctx.identity)
    except ProcoreConnectError as error:
        flash(place, str(error), kind="error")
        return
    flash(place, f"Job #{job_id} " + ("cancelled." if state is JobState.CANCELLED else
                                      "stops after the writes in flight."), kind="info")


def describe(job: PublishJob, sites: dict[int, str]) -> str:
    """How people name a job: "#12 Publish · Mon 16 Nov 2026 · 1002 Harbor Point · 1 entry"."""
    parts = [f"#{job.id} {ACTION_NAMES[PublishAction(job.action)]}", _dates(job.start_date, job.end_date)]
    ids = job.job_site_ids
    parts.append("all job sites" if ids is None else sites.get(ids[0], f"job site {ids[0]}") if len(ids) == 1
                 else f"{len(ids)} job sites")
    if job.entry_ids:
        parts.append(f"{len(job.entry_ids)} entr{'y' if len(job.entry_ids) == 1 else 'ies'}")
    if job.trigger != JobTrigger.MANUAL:
        parts.append(str(job.trigger))
    return " · ".join(parts)


def _dates(start: date, end: date) -> str:
    return f"{start:%a %d %b %Y}" if start == end else f"{start:%d %b} – {end:%d %b %Y}"
