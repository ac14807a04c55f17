"""Running one stored publish job on a worker: start it under the scope lock, beat, publish, end it.

While the publish runs, a heartbeat thread and the progress reports write the
job's heartbeat (and its done / total / summary); before each batch of writes
the engine asks whether someone cancelled the job. Progress is written at most
once a second (and at the end): one write per entry doubled the database
commits of a run, and two workers wait on each other's commits.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import uuid4

from sqlalchemy import Table, bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core import access
from core.access import Identity
from core.config import Settings
from core.db import get_engine, session_scope, utcnow
from core.errors import ProcoreConnectError
from core.jobs import store
from core.jobs.drift import drift_after
from core.jobs.store import Clock
from core.models.jobs import JobState, PublishJob
from core.procore.client import ProcoreClient
from core.publishing.engine import publish

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 10.0  # seconds between a running job's heartbeats when no progress is reported
PROGRESS_EVERY = timedelta(seconds=1)  # a running job's progress is written at most this often, and at its end
BUSY_WAIT = 1.0  # seconds a worker waits before queueing again a job whose scope another job is publishing
_JOBS: Table = PublishJob.__table__  # type: ignore[attr-defined]
# Asked before every batch of writes: one statement built once, read on a pooled connection without a session.
_CANCEL_ASKED = select(_JOBS.c.cancel_requested_by).where(_JOBS.c.id == bindparam("job_id"))


class Outcome(StrEnum):
    """What a worker did with a job it took from the queue."""

    SKIPPED = "skipped"  # cancelled, ended, or taken by another worker: nothing to do
    BUSY = "busy"  # another job of the same module and scope is running
    ENDED = "ended"


def run_queued(settings: Settings, job_id: int) -> Outcome:
    """The queue's task: run the job, or put it back on the queue while its scope is busy."""
    from core.jobs.queue import submit

    outcome = run_job(settings, get_engine(settings.database_url), job_id)
    if outcome is Outcome.BUSY:
        time.sleep(BUSY_WAIT)  # the job keeps its place in the queue's order behind the others
        submit(settings, job_id)
    return outcome


def run_job(settings: Settings, engine: Engine, job_id: int, *, clock: Clock = utcnow,
            client: ProcoreClient | None = None, heartbeat_every: float = HEARTBEAT_EVERY) -> Outcome:
    """Run job `job_id` if it is still queued (or interrupted) and its scope is free."""
    token = uuid4().hex
    try:
        with session_scope(engine) as session:
            if not store.start(session, job_id=job_id, token=token, now=clock()):
                return Outcome.SKIPPED
            job = store.get_job(session, job_id=job_id)
    except IntegrityError:
        return Outcome.BUSY
    heart = _Heartbeat(engine, job_id, token, clock, heartbeat_every)
    state, error, run_id, summary = JobState.FAILED, None, None, None
    drift: list[str] | None = None
    try:
        with session_scope(engine) as session:
            actor = _actor(session, job)
        report = publish(settings, engine, store.request_of(job), actor=actor, client=client,
                         progress=heart.progress, claim_token=token, stop=heart.stop_reason)
        run_id, summary, error = report.run_id, report.summary(), report.error
        state = JobState.CANCELLED if heart.cancelled_by else JobState.FAILED if report.error else JobState.DONE
        drift = drift_after(settings, engine, job, client) if state is JobState.DONE else None
    except ProcoreConnectError as refused:
        error = str(refused)
    except Exception as unexpected:  # noqa: BLE001 - a worker outlives any one job; the job says what failed
        log.exception("publish job %s failed", job_id)
        error = f"Unexpected {type(unexpected).__name__}; the worker's log has the details."
    finally:
        heart.stop()
    with session_scope(engine) as session:
        if summary is not None:
            store.beat(session, job_id=job_id, token=token, now=clock(), summary=summary)
        store.finish(session, job_id=job_id, token=token, state=state, now=clock(), run_id=run_id, error=error,
                     drift=drift)
    return Outcome.ENDED


def _actor(session: Session, job: PublishJob) -> Identity:
    """Who asked, with the permissions their role has now."""
    return Identity(email=job.requested_by, name=job.requested_by, role=job.requested_role,
                    permissions=access.role_permissions(session, role_name=job.requested_role))


class _Heartbeat:
    """Beats while the job runs; knows whether someone asked to cancel it."""

    def __init__(self, engine: Engine, job_id: int, token: str, clock: Clock, every: float) -> None:
        self.engine, self.job_id, self.token, self.clock = engine, job_id, token, clock
        self.cancelled_by: str | None = None
        self._pending: dict[str, int | str] | None = None  # progress not written yet
        self._written: datetime | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), name=f"job-{job_id}-heartbeat", daemon=True)
        self._thread.start()

    def progress(self, done: int, total: int, summary: str) -> None:
        self._pending = {"done": done, "total": total, "summary": summary[:2000]}
        now = self.clock()
        if done >= total or self._written is None or now - self._written >= PROGRESS_EVERY:
            self._write_progress(now)

    def stop_reason(self) -> str | None:
        """Why the job must stop (someone cancelled it), or None; asked before each batch of writes, so it is
        one prepared read, not a session and a statement built for it."""
        if not self.cancelled_by:
            with self.engine.connect() as connection:
                self.cancelled_by = connection.execute(_CANCEL_ASKED, {"job_id": self.job_id}).scalar()
        return f"cancelled by {self.cancelled_by}" if self.cancelled_by else None

    def stop(self) -> None:
        self._done.set()
        self._thread.join()
        try:
            self._write_progress(self.clock())
        except Exception:  # noqa: BLE001 - the job's end is written next, with its summary
            log.warning("last progress of publish job %s was not written", self.job_id, exc_info=True)

    def _write_progress(self, now: datetime) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._beat(**pending)
            self._written = now

    def _run(self, every: float) -> None:
        while not self._done.wait(every):
            try:
                self._beat()
            except Exception:  # noqa: BLE001 - a missed beat is retried; the job itself goes on
                log.warning("heartbeat of publish job %s failed", self.job_id, exc_info=True)

    def _beat(self, **progress: int | str) -> None:
        with session_scope(self.engine) as session:
            self.cancelled_by = store.beat(session, job_id=self.job_id, token=self.token, now=self.clock(),
                                           **progress) or self.cancelled_by  # type: ignore[arg-type]
