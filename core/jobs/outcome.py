"""A finished publish job as people read it: its run's counts per outcome, its problems grouped, and the
Non publishable entries of its scope (which a publish leaves where they are).

    outcome = job_outcome(engine, job, title="#12 Publish · Mon 16 Nov 2026 · 1002 Harbor Point")
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Table, select
from sqlalchemy.engine import Engine

from core.db import session_scope
from core.jobs.history import OUTCOMES, run_outcomes, run_problems
from core.models.jobs import JobState, PublishJob
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.outcomes import Blocked, Outcome, Stop, of_job_counts
from core.publishing.status import PublishAction
from core.publishing.stored import range_conditions, stored_reasons

# Actions that would publish a Non publishable entry if it could be: for them such entries are an outcome.
_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_PUBLISHING = frozenset({PublishAction.PUBLISH, PublishAction.REPUBLISH, PublishAction.FORCE_PUBLISH})


def job_outcome(engine: Engine, job: PublishJob, *, title: str) -> Outcome:
    """What the ended `job` did (see the module docstring); a cancelled job warns, a failed one errs."""
    counts = run_outcomes(engine, run_id=job.run_id) if job.run_id is not None else dict.fromkeys(OUTCOMES, 0)
    problems = run_problems(engine, run_ids=[job.run_id] if job.run_id is not None else [])
    return of_job_counts(title, counts, problems, blocked=_blocked(engine, job), stop=_stop(job))


def _blocked(engine: Engine, job: PublishJob) -> Blocked | None:
    if PublishAction(job.action) not in _PUBLISHING:
        return None
    query = select(_TABLE.c.status, _TABLE.c.reasons).where(
        *range_conditions(PublishModule(job.module), job.start_date, job.end_date, job.job_site_ids),
        _TABLE.c.status == PublishStatus.NON_PUBLISHABLE.value)
    if job.entry_ids is not None:
        query = query.where(_TABLE.c.id.in_(job.entry_ids))
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
