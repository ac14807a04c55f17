"""Whether a worker runs on a shared (Redis) queue: a worker process's key, gone when it stops or Redis is down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from core.config import Settings
from core.jobs import worker_running
from core.jobs.queue import get_queue
from core.jobs.worker import _Consumer
from tests.core.jobs.test_workers import ROOT, wait_for


def _worker(settings: Settings) -> subprocess.Popen[str]:
    """A worker as on another machine: its DATA_DIR is not ours, only the database and Redis are shared."""
    elsewhere = Path(settings.data_dir) / "another-machine"
    env = {**os.environ, "DATA_DIR": str(elsewhere), "DATABASE_URL": settings.database_url,
           "JOBS_URL": settings.jobs_url}
    return subprocess.Popen([sys.executable, "-m", "core", "worker"], env=env, cwd=ROOT,  # noqa: S603
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_worker_on_redis_is_seen_while_it_runs_and_not_after(settings: Settings, redis_url: str) -> None:
    shared = settings.model_copy(update={"jobs_url": redis_url})
    assert not worker_running(shared)
    worker = _worker(shared)
    try:
        wait_for("the worker to announce itself", lambda: worker_running(shared), timeout=60)
    finally:
        worker.send_signal(signal.SIGINT)
        _out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    assert not worker_running(shared)


def test_a_redis_that_does_not_answer_has_no_worker(settings: Settings) -> None:
    gone = settings.model_copy(update={"jobs_url": f"unix://{settings.data_dir}/no-redis.sock"})

    assert not worker_running(gone)


def test_a_worker_shows_itself_only_once_its_consumer_handles_a_stop(settings: Settings) -> None:
    """A stop asked as soon as a worker shows itself must find the consumer's handlers (a graceful stop after
    its running jobs), never Python's own Ctrl-C (the process ends at once, exit 130)."""
    handlers: list[object] = []
    before = signal.getsignal(signal.SIGINT)
    consumer = _Consumer(get_queue(settings), workers=1, worker_type="thread",
                         started=lambda: handlers.append(signal.getsignal(signal.SIGINT)))
    try:
        consumer.start()
    finally:
        consumer.stop(graceful=True)
        signal.signal(signal.SIGINT, before)

    assert handlers == [consumer._handle_signal]
