"""What the app and the CLI call: queue a publish, cancel a job, list jobs, bring back jobs whose worker died.

    job_id = enqueue_publish(settings, engine, request, actor=identity, trigger=JobTrigger.RANGE)
    cancel(settings, engine, job_id, actor=identity)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from core.access import Identity, Perm
from core.config import Settings
from core.db import get_engine, session_scope, utcnow
from core.errors import ConfigurationError
from core.jobs import store
from core.jobs.queue import submit
from core.models.jobs import JobState, JobTrigger, PublishJob
from core.publishing.claims import release_claim
from core.publishing.engine import required_permissions
from core.publishing.report import PublishRequest

STALE_AFTER = timedelta(minutes=2)  # a running job silent this long lost its worker (heartbeats every 10 s)
MAX_ATTEMPTS = 2  # a job whose worker died runs once more, not forever


def enqueue_publish(settings: Settings, engine: Engine, request: PublishRequest, *, actor: Identity,
                    trigger: JobTrigger) -> int:
    """Store `request` as a queued job and put it on the queue; returns the job's id.

    Raises:
        PermissionDenied: `actor` may not run the action (nothing is queued).
        ConfigurationError: the queue cannot be reached (the job is stored as failed, saying so).
    """
    for permission in required_permissions(request.action, request.module):
        actor.require(permission)
    with session_scope(engine) as session:
        job_id = store.create_job(session, request=request, actor=actor, trigger=trigger).id
    assert job_id is not None
    _submit(settings, engine, job_id)
    return job_id


def cancel(settings: Settings, engine: Engine, job_id: int, *, actor: Identity) -> JobState:
    """Cancel a queued job (it never starts) or stop a running one after its in-flight writes.

    Returns CANCELLED, or RUNNING while a running job is being stopped.

    Raises:
        PermissionDenied: `actor` may not publish.
        ValidationError: no such job, or it already ended.
    """
    actor.require(Perm.PUBLISH)
    with session_scope(engine) as session:
        return store.cancel(session, job_id=job_id, actor=actor, now=utcnow())


def jobs(engine: Engine, *, states: Sequence[JobState] | None = None, limit: int = 50) -> list[PublishJob]:
    """The newest jobs first (optionally in some states only)."""
    with session_scope(engine) as session:
        return store.list_jobs(session, states=states, limit=limit)


ACTIVE = (JobState.QUEUED, JobState.RUNNING, JobState.INTERRUPTED)


def module_jobs(engine: Engine, *, module: str, ended_since: datetime, limit: int = 20) -> list[PublishJob]:
    """A module's jobs that are queued or running, and those that ended since `ended_since`; newest first."""
    query = select(PublishJob).where(
        PublishJob.module == module,
        or_(col(PublishJob.state).in_([state.value for state in ACTIVE]), col(PublishJob.finished_at) >= ended_since),
    ).order_by(col(PublishJob.id).desc()).limit(limit)
    with session_scope(engine) as session:
        return list(session.exec(query).all())


def job(engine: Engine, job_id: int) -> PublishJob:
    """One job as it stands now (its state, done / total, summary, error), for a page polling its progress.

    Raises:
        ValidationError: no such job.
    """
    with session_scope(engine) as session:
        return store.get_job(session, job_id=job_id)


def recover_stale(settings: Settings, engine: Engine | None = None, *, now: datetime | None = None,
                  older_than: timedelta = STALE_AFTER) -> list[int]:
    """Jobs whose heartbeat went stale: their claims released, marked interrupted and queued once more
    (failed after MAX_ATTEMPTS). Returns the ids queued again."""
    engine = engine or get_engine(settings.database_url)
    with session_scope(engine) as session:
        found = store.stale(session, older_than=older_than, now=now or utcnow())
    queued = []
    for job_id, token in found:
        with session_scope(engine) as session:
            state = store.interrupt(session, job_id=job_id, token=token, max_attempts=MAX_ATTEMPTS)
            if state is not None:
                release_claim(session, token=token)
        if state is JobState.INTERRUPTED:
            _submit(settings, engine, job_id)
            queued.append(job_id)
    return queued


def _submit(settings: Settings, engine: Engine, job_id: int) -> None:
    try:
        task_id = submit(settings, job_id)
    except ConfigurationError as error:
        with session_scope(engine) as session:
            store.fail_unqueued(session, job_id=job_id, error=str(error), now=utcnow())
        raise
    with session_scope(engine) as session:
        store.set_task(session, job_id=job_id, task_id=task_id)
