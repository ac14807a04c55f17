"""The queue itself (huey): SQLite storage in DATA_DIR by default, Redis when JOBS_URL is redis://….

Nothing is built at import: `get_queue(settings)` builds one huey instance per queue location
and process, with its two tasks registered on it: a publish job, and (each minute, in a
consumer) the search for jobs whose worker died and the tick that queues due schedules.
"""

from __future__ import annotations

import threading
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey, TaskWrapper

from core.config import Settings
from core.errors import ConfigurationError

QUEUE_NAME = "procore-connect"
QUEUE_FILE = "jobs_queue.sqlite3"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_queues: dict[str, tuple[Huey, TaskWrapper]] = {}
_lock = threading.Lock()


def queue_location(settings: Settings) -> str:
    """Where the queue lives: JOBS_URL, or the SQLite file in DATA_DIR."""
    return settings.jobs_url or str(Path(settings.data_dir) / QUEUE_FILE)


def uses_embedded_queue(settings: Settings) -> bool:
    return not settings.jobs_url


def get_queue(settings: Settings) -> Huey:
    """The huey instance for the settings' queue (built on first use in this process)."""
    return _queue(settings)[0]


def submit(settings: Settings, job_id: int) -> str:
    """Put a publish job on the queue; returns the queue's task id.

    Raises:
        ConfigurationError: the queue cannot be reached (the job was not queued).
    """
    huey, task = _queue(settings)
    message = task.s(job_id)
    try:
        huey.enqueue(message)
    except Exception as error:  # noqa: BLE001 - redis and sqlite3 each raise their own; both mean "not queued"
        raise ConfigurationError(f"The job queue at {_shown(settings)} is not reachable "
                                 f"({type(error).__name__}); nothing was queued.") from error
    return str(message.id)


def _queue(settings: Settings) -> tuple[Huey, TaskWrapper]:
    key = f"{queue_location(settings)}|{settings.database_url}"
    with _lock:
        if key not in _queues:
            _queues[key] = _build(settings)
        return _queues[key]


def _build(settings: Settings) -> tuple[Huey, TaskWrapper]:
    huey = _storage(settings)

    def publish_job(job_id: int) -> None:
        from core.jobs.runner import run_queued

        run_queued(settings, job_id)

    def recover_stale_jobs() -> None:
        from core.jobs.service import recover_stale

        recover_stale(settings)

    def tick_schedules() -> None:
        from core.db import get_engine, utcnow
        from core.jobs.scheduling import run_due_schedules

        run_due_schedules(settings, get_engine(settings.database_url), now=utcnow())

    huey.periodic_task(crontab(), name="recover_stale_jobs")(recover_stale_jobs)
    huey.periodic_task(crontab(minute="*"), name="run_due_schedules")(tick_schedules)
    return huey, huey.task(name="publish_job")(publish_job)


def _storage(settings: Settings) -> Huey:
    if settings.jobs_url.startswith(REDIS_SCHEMES):
        return RedisHuey(QUEUE_NAME, url=settings.jobs_url, results=False)
    if settings.jobs_url:
        raise ConfigurationError("JOBS_URL must start with redis:// (or be empty for the embedded queue).")
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=queue_location(settings), results=False)


def _shown(settings: Settings) -> str:
    """The queue's location without a password."""
    location = queue_location(settings)
    if "@" in location:
        scheme, rest = location.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return location
