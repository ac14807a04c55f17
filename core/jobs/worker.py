"""Workers: a consumer of the queue in this process, and the one background worker the app starts itself.

`run_worker` is what `python -m core worker` runs. A worker on the embedded queue
keeps a pid file in DATA_DIR while it runs, one on Redis a key that expires
unless renewed (`core.jobs.presence`), so `worker_running` is right for both;
`ensure_worker` starts one when none is running (the app does, on the embedded
default, as it starts the emulator).
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

from huey.consumer import Consumer

from core.config import PROJECT_ROOT, Settings
from core.jobs import presence
from core.jobs.queue import get_queue, uses_embedded_queue
from core.jobs.service import recover_stale

log = logging.getLogger(__name__)

PID_FILE = "jobs_worker.pid"
PARENT_CHECK_EVERY = 2.0  # seconds between a background worker's checks that the app that started it runs
# An idle consumer looks at the queue ever less often, up to this many seconds apart (huey's default is
# 10: a job queued on an idle worker waited up to 10 s to start). A look is one small query (on Redis the
# consumer waits on the queue instead, and takes a job at once).
POLL_AT_MOST_EVERY = 0.2


def run_worker(settings: Settings, *, workers: int = 1, until_idle: bool = False, exit_with: int | None = None) -> int:
    """Consume the queue on `workers` threads; with `until_idle`, return once it is empty.

    `exit_with`: a process id (the app that started this worker); once it is gone, the worker
    stops as on Ctrl-C, after the jobs it is running. Returns the number of queue messages
    handled (0 for a consumer that ran until stopped).
    """
    recover_stale(settings)
    if exit_with is not None:
        threading.Thread(target=_exit_with, args=(exit_with,), name="exit-with", daemon=True).start()
    if until_idle:
        with _present(settings):
            return _drain(settings, workers)
    _settle()
    with ExitStack() as shown:  # shown once the consumer handles a stop (Ctrl-C, SIGTERM) itself
        _Consumer(get_queue(settings), workers=workers, worker_type="thread", max_delay=POLL_AT_MOST_EVERY,
                  started=lambda: shown.enter_context(_present(settings))).run()
    return 0


class _Consumer(Consumer):  # type: ignore[misc]  # huey has no type hints
    """huey's consumer that calls `started` once its workers run and its signal handlers are set: a stop asked
    of a worker that shows itself always finds those handlers, and ends the worker after its running jobs."""

    def __init__(self, *args: Any, started: Callable[[], object], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._started = started

    def start(self) -> None:
        super().start()
        self._started()


def _settle() -> None:
    """A consumer's start, before it runs for days: load now what the first publish would load (httpx imports
    its transport, httpcore, on the first client), then move every object alive so far out of the garbage
    collector's reach (`gc.freeze`): they live as long as the process, and each full collection walked them
    all again (half of a worker's collection time in bench/jobs.py)."""
    import httpcore  # noqa: F401, PLC0415 - imported for its side effect: loaded once, before any job

    gc.freeze()


def _drain(settings: Settings, workers: int) -> int:
    huey = get_queue(settings)
    handled: list[int] = []

    def consume() -> None:
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
            handled.append(1)

    threads = [threading.Thread(target=consume, name=f"worker-{n}") for n in range(max(1, workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(handled)


def _exit_with(pid: int) -> None:
    time.sleep(PARENT_CHECK_EVERY)  # first, the consumer installs its signal handlers
    while _alive(pid):
        time.sleep(PARENT_CHECK_EVERY)
    log.info("Process %s is gone; stopping after the running jobs", pid)
    os.kill(os.getpid(), signal.SIGINT)  # the consumer's graceful stop


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def worker_running(settings: Settings) -> bool:
    """True when a worker consumes the settings' queue: the pid file in DATA_DIR names a live process
    (embedded queue), or a worker's key is alive on Redis (False when Redis does not answer)."""
    if not uses_embedded_queue(settings):
        return presence.any_alive(settings)
    try:
        pid = int((Path(settings.data_dir) / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return False
    return _alive(pid)


def ensure_worker(settings: Settings) -> int | None:
    """Start one background worker process on the embedded queue unless one is running; returns its pid.

    The worker stops once this process is gone. With JOBS_URL set, workers are run separately
    (see the README), so nothing starts here.
    """
    if not uses_embedded_queue(settings) or worker_running(settings):
        return None
    env = {**os.environ, "DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    if settings.emulator_state is not None:
        env["EMULATOR_STATE"] = str(settings.emulator_state)
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    with (Path(settings.data_dir) / "jobs_worker.log").open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "core", "worker", "--exit-with", str(os.getpid())], env=env, cwd=PROJECT_ROOT,
            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    (Path(settings.data_dir) / PID_FILE).write_text(str(process.pid))
    log.info("Started a publish worker (pid %s)", process.pid)
    return process.pid


def _present(settings: Settings) -> AbstractContextManager[None]:
    """How this worker shows it runs: a pid file on the embedded queue, a key on Redis."""
    return _pid_file(settings) if uses_embedded_queue(settings) else presence.announced(settings)


@contextmanager
def _pid_file(settings: Settings) -> Iterator[None]:
    path = Path(settings.data_dir) / PID_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not worker_running(settings):
        path.write_text(str(os.getpid()))
    try:
        yield
    finally:
        if path.exists() and path.read_text().strip() == str(os.getpid()):
            path.unlink()
