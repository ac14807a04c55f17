"""A publish worker for page tests: the test process itself, draining the queue when the test says so.

Page tests turn the app's own worker off (START_WORKER=false in `app_db`), so no
worker process outlives a test. `TestWorker.present()` makes the page see a
worker (the pid file names this live process, as a worker's would), and
`drain()` runs what was queued, in this process, until the queue is empty.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.config import Settings
from core.jobs import run_worker
from core.jobs.worker import PID_FILE


class TestWorker:
    """The test's worker on the settings' embedded queue."""

    __test__ = False  # not a test class

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def present(self) -> None:
        """From now on the page finds a worker running."""
        Path(self.settings.data_dir).mkdir(parents=True, exist_ok=True)
        (Path(self.settings.data_dir) / PID_FILE).write_text(str(os.getpid()))

    def absent(self) -> None:
        (Path(self.settings.data_dir) / PID_FILE).unlink(missing_ok=True)

    def drain(self) -> int:
        """Run every queued job to its end; returns how many queue messages were handled."""
        handled = run_worker(self.settings, until_idle=True)
        self.present()  # the drained worker removed its pid file on the way out
        return handled
