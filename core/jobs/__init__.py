"""The job queue: publishes run by workers, not inside a page's script run (huey; SQLite or Redis storage)."""

from core.jobs.runner import Outcome, run_job
from core.jobs.service import ACTIVE, cancel, enqueue_publish, job, jobs, module_jobs, recover_stale
from core.jobs.worker import ensure_worker, run_worker, worker_running

__all__ = [
    "ACTIVE",
    "Outcome",
    "cancel",
    "enqueue_publish",
    "ensure_worker",
    "job",
    "jobs",
    "module_jobs",
    "recover_stale",
    "run_job",
    "run_worker",
    "worker_running",
]
