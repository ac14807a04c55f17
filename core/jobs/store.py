"""Publish job rows: created, started under the scope lock, beaten, ended, cancelled, found dead.

Every move is one guarded UPDATE (the row's state, and for a running job the
claim token of the attempt that runs it), so two workers, or a worker and the
one who found it dead, never both move a job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import sqlmodel
from sqlalchemy import ColumnElement, Table, select, update
from sqlmodel import Session, col

from core.access import Identity
from core.db import utcnow
from core.errors import ValidationError
from core.models.jobs import JobState, JobTrigger, PublishJob
from core.models.publishing import PublishModule
from core.publishing.report import PublishRequest
from core.publishing.status import PublishAction

Clock = Callable[[], datetime]
STARTABLE = (JobState.QUEUED.value, JobState.INTERRUPTED.value)
ENDED = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
_JOBS: Table = PublishJob.__table__  # type: ignore[attr-defined]


def lock_key(request: PublishRequest) -> str:
    """The module and scope of a request: at most one job per key runs at a time."""
    sites = ",".join(str(site) for site in sorted(request.job_site_ids)) if request.job_site_ids else "*"
    entries = ",".join(str(entry) for entry in sorted(request.entry_ids)) if request.entry_ids else "*"
    return f"{request.module}|{request.start}|{request.end}|{sites}|{entries}"[:400]


def create_job(session: Session, *, request: PublishRequest, actor: Identity, trigger: JobTrigger) -> PublishJob:
    """A queued job for `request`, asked for by `actor`."""
    job = PublishJob(
        trigger=trigger, requested_by=actor.email, requested_role=actor.role, module=str(request.module),
        action=request.action.value, start_date=request.start, end_date=request.end,
        job_site_ids=sorted(request.job_site_ids) if request.job_site_ids is not None else None,
        entry_ids=sorted(request.entry_ids) if request.entry_ids is not None else None,
        lock_key=lock_key(request),
    )
    session.add(job)
    session.flush()
    return job


def request_of(job: PublishJob) -> PublishRequest:
    """The publish request a job stores."""
    return PublishRequest(
        module=PublishModule(job.module), start=job.start_date, end=job.end_date, action=PublishAction(job.action),
        job_site_ids=frozenset(job.job_site_ids) if job.job_site_ids is not None else None,
        entry_ids=frozenset(job.entry_ids) if job.entry_ids is not None else None,
    )


def get_job(session: Session, *, job_id: int) -> PublishJob:
    job = session.get(PublishJob, job_id, populate_existing=True)
    if job is None:
        raise ValidationError(f"No publish job {job_id}.")
    return job


def set_task(session: Session, *, job_id: int, task_id: str) -> None:
    session.connection().execute(update(_JOBS).where(_JOBS.c.id == job_id).values(task_id=task_id))


def start(session: Session, *, job_id: int, token: str, now: datetime) -> bool:
    """Queued (or interrupted) → running under `token`. False when it is not startable.

    Raises:
        IntegrityError: another job of the same module and scope is running (the lock); roll back.
    """
    moved = session.connection().execute(
        update(_JOBS).where(_JOBS.c.id == job_id, _JOBS.c.state.in_(STARTABLE)).values(
            state=JobState.RUNNING.value, claim_token=token, started_at=now, heartbeat_at=now,
            attempts=_JOBS.c.attempts + 1, error=None,
        )
    )
    return moved.rowcount == 1


def beat(session: Session, *, job_id: int, token: str, now: datetime, done: int | None = None,
         total: int | None = None, summary: str | None = None) -> str | None:
    """The running attempt is alive (and its progress); returns who asked to cancel it, if anyone."""
    progress = {name: value for name, value in (("done", done), ("total", total), ("summary", summary))
                if value is not None}
    session.connection().execute(update(_JOBS).where(*_running(job_id, token)).values(heartbeat_at=now, **progress))
    return cancel_requested(session, job_id=job_id)


def cancel_requested(session: Session, *, job_id: int) -> str | None:
    found = session.connection().execute(select(_JOBS.c.cancel_requested_by).where(_JOBS.c.id == job_id))
    return found.scalar()


def finish(session: Session, *, job_id: int, token: str, state: JobState, now: datetime,
           run_id: int | None = None, error: str | None = None, drift: list[str] | None = None) -> bool:
    """The running attempt ends the job; False when it no longer owns it (found dead meanwhile)."""
    moved = session.connection().execute(update(_JOBS).where(*_running(job_id, token)).values(
        state=state.value, finished_at=now, heartbeat_at=now, run_id=run_id, error=(error or None) and error[:2000],
        drift=drift,
    ))
    return moved.rowcount == 1


def cancel(session: Session, *, job_id: int, actor: Identity, now: datetime) -> JobState:
    """A queued job is cancelled at once; a running one is asked to stop. Returns the job's state after.

    Raises:
        ValidationError: no such job, or it already ended.
    """
    job = get_job(session, job_id=job_id)
    queued = session.connection().execute(update(_JOBS).where(_JOBS.c.id == job_id, _JOBS.c.state.in_(STARTABLE))
                                          .values(state=JobState.CANCELLED.value, finished_at=now,
                                                  cancel_requested_by=actor.email))
    if queued.rowcount == 1:
        return JobState.CANCELLED
    asked = session.connection().execute(update(_JOBS).where(_JOBS.c.id == job_id,
                                                             _JOBS.c.state == JobState.RUNNING.value)
                                         .values(cancel_requested_by=actor.email))
    if asked.rowcount == 1:
        return JobState.RUNNING
    raise ValidationError(f"Publish job {job_id} already ended ({get_job(session, job_id=job.id or job_id).state}).")


def interrupt(session: Session, *, job_id: int, token: str, max_attempts: int) -> JobState | None:
    """A running job whose worker stopped answering: interrupted (to run once more) or, after
    `max_attempts`, failed. None when it moved meanwhile."""
    job = get_job(session, job_id=job_id)
    gave_up = job.attempts >= max_attempts
    state = JobState.FAILED if gave_up else JobState.INTERRUPTED
    error = f"Its worker stopped answering {job.attempts} times; publish again." if gave_up else \
        "Its worker stopped answering; it runs once more and adopts what was written."
    moved = session.connection().execute(update(_JOBS).where(*_running(job_id, token)).values(
        state=state.value, error=error, finished_at=utcnow() if gave_up else None))
    return state if moved.rowcount == 1 else None


def stale(session: Session, *, older_than: timedelta, now: datetime) -> list[tuple[int, str]]:
    """(job id, claim token) of running jobs whose heartbeat is older than `older_than`."""
    query = select(_JOBS.c.id, _JOBS.c.claim_token).where(
        _JOBS.c.state == JobState.RUNNING.value, _JOBS.c.heartbeat_at < now - older_than)
    return [(int(job_id), str(token)) for job_id, token in session.connection().execute(query)]


def list_jobs(session: Session, *, states: Sequence[JobState] | None = None, limit: int = 50) -> list[PublishJob]:
    """The newest jobs first, optionally in some states only."""
    query = sqlmodel.select(PublishJob).order_by(col(PublishJob.id).desc()).limit(limit)
    if states:
        query = query.where(col(PublishJob.state).in_([state.value for state in states]))
    return list(session.exec(query).all())


def _running(job_id: int, token: str) -> tuple[ColumnElement[bool], ...]:
    return _JOBS.c.id == job_id, _JOBS.c.state == JobState.RUNNING.value, _JOBS.c.claim_token == token


def fail_unqueued(session: Session, *, job_id: int, error: str, now: datetime) -> None:
    """A job the queue refused: it will never run, and says why."""
    session.connection().execute(update(_JOBS).where(_JOBS.c.id == job_id, _JOBS.c.state.in_(STARTABLE)).values(
        state=JobState.FAILED.value, error=error[:2000], finished_at=now))
