"""A finished publish job as people read it: its run's counts per outcome, its problems grouped, and the
Non publishable entries of its scope (which a publish leaves where they are).

    outcome = job_outcome(engine, job, title="#12 Publish · Mon 16 Nov 2026 · 1002 Harbor Point")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Table, select
from sqlalchemy.engine import Engine

from core.db import session_scope
from core.jobs.history import OUTCOMES, run_outcomes, run_problems
from core.models.jobs import JobState, PublishJob
from core.models.publishing import PublishEntry, PublishModule, PublishRun, PublishStatus
from core.outcomes import Blocked, Outcome, Stop, of_job_counts
from core.publishing.status import PublishAction
from core.publishing.stored import range_conditions, stored_reasons

# Actions that would publish a Non publishable entry if it could be: for them such entries are an outcome.
_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_PUBLISHING = frozenset({PublishAction.PUBLISH.value, PublishAction.REPUBLISH.value, PublishAction.FORCE_PUBLISH.value})


def job_outcome(engine: Engine, job: PublishJob, *, title: str) -> Outcome:
    """What the ended `job` did (see the module docstring); a cancelled job warns, a failed one errs."""
    counts = run_outcomes(engine, run_id=job.run_id) if job.run_id is not None else dict.fromkeys(OUTCOMES, 0)
    problems = run_problems(engine, run_ids=[job.run_id] if job.run_id is not None else [])
    scope = _Scope(PublishModule(job.module), job.action, job.start_date, job.end_date, job.job_site_ids,
                   job.entry_ids)
    return of_job_counts(title, counts, problems, blocked=_blocked(engine, scope), stop=_stop(job))


def history_outcome(engine: Engine, *, job_id: int | None, run_id: int | None, title: str) -> Outcome:
    """A row of Run history (`core.jobs.history.run_history`): a job's outcome as `job_outcome`; a run
    outside the queue (a press of Publish, the command line) with the Non publishable entries of its days,
    all job sites (such a run keeps no job sites)."""
    with session_scope(engine) as session:
        job = session.get(PublishJob, job_id) if job_id is not None else None
        run = session.get(PublishRun, run_id) if run_id is not None and job is None else None
    if job is not None:
        return job_outcome(engine, job, title=title)
    if run is None or run.id is None:
        return of_job_counts(title, dict.fromkeys(OUTCOMES, 0), run_problems(engine, run_ids=[]))
    scope = _Scope(PublishModule(run.module), run.action, run.start_date, run.end_date, None, None)
    return of_job_counts(title, run_outcomes(engine, run_id=run.id), run_problems(engine, run_ids=[run.id]),
                         blocked=_blocked(engine, scope))


@dataclass(frozen=True)
class _Scope:
    """What a job or run was asked to publish."""

    module: PublishModule
    action: str
    start: date | None
    end: date | None
    job_site_ids: list[int] | None
    entry_ids: list[int] | None


def _blocked(engine: Engine, scope: _Scope) -> Blocked | None:
    if scope.action not in _PUBLISHING or scope.start is None or scope.end is None:
        return None
    query = select(_TABLE.c.status, _TABLE.c.reasons).where(
        *range_conditions(scope.module, scope.start, scope.end, scope.job_site_ids),
        _TABLE.c.status == PublishStatus.NON_PUBLISHABLE.value)
    if scope.entry_ids is not None:
        query = query.where(_TABLE.c.id.in_(scope.entry_ids))
    with session_scope(engine) as session:
        rows = session.connection().execute(query).all()
    return Blocked.of(pd.DataFrame([(status, stored_reasons(reasons)) for status, reasons in rows],
                                   columns=["status", "reasons"]))


def _stop(job: PublishJob) -> Stop | None:
    if job.state == JobState.CANCELLED:
        return Stop(f"Cancelled by {job.cancel_requested_by}: what was not sent yet stays as it was.", failed=False)
    if job.state != JobState.DONE:
        return Stop(f"Stopped: {job.error or 'failed'}")
    return None
