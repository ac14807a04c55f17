"""After a scheduled publish, its range read back from Procore: the job-site days where the two disagree.

A scheduled run never overwrites a record changed in Procore, and other sources write there too, so a
run that ended without a failure can still leave Procore and the time clock apart. The reconciliation
(list calls only) says where; the lines are kept on the job and grouped into the Automation page's
failure digest.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.config import Settings
from core.dashboards.queries import job_site_labels
from core.db import session_scope
from core.errors import ProcoreConnectError
from core.models.jobs import JobTrigger, PublishJob
from core.models.publishing import PublishModule
from core.procore.client import ProcoreClient
from core.reconcile import reconcile
from core.reconcile.report import day_line

DRIFT_REASON = "Procore and the time clock differ on this job-site day after the run (see Reconciliation)"


def drift_after(settings: Settings, engine: Engine, job: PublishJob,
                client: ProcoreClient | None = None) -> list[str] | None:
    """One line per drifting job-site day of a scheduled job's range; None for other jobs."""
    if job.trigger != JobTrigger.SCHEDULED:
        return None
    sites = frozenset(job.job_site_ids) if job.job_site_ids else None
    try:
        result = reconcile(settings, engine, module=PublishModule(job.module), start=job.start_date,
                           end=job.end_date, job_site_ids=sites, client=client)
    except ProcoreConnectError as error:
        return [f"The reconciliation after the run could not read Procore: {error}"]
    with session_scope(engine) as session:
        labels = job_site_labels(session)
    return [day_line(day, labels.get(day.job_site_id, str(day.job_site_id))) for day in result.drifting]
