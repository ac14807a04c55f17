"""The worker the app starts by itself on the embedded queue, and its end when the app is gone."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from core.config import Settings
from core.jobs import enqueue_publish, ensure_worker, worker_running
from core.models.jobs import JobState, JobTrigger
from tests.core.jobs.test_jobs import job, published, remote_ids, week
from tests.core.jobs.test_workers import wait_for, worker_process
from tests.core.publishing.engine_world import Linked, procore_ids


@pytest.mark.parametrize("queue_settings", ["sqlite"], indirect=True)
def test_the_app_starts_one_worker_and_it_runs_what_is_queued(linked: Linked) -> None:
    assert not worker_running(linked.settings)
    pid = ensure_worker(linked.settings)
    assert pid is not None
    try:
        assert worker_running(linked.settings)
        assert ensure_worker(linked.settings) is None
        job_id = enqueue_publish(linked.settings, linked.engine, week(linked, ["1001"]), actor=linked.admin,
                                 trigger=JobTrigger.RANGE)
        wait_for("the job to end", lambda: job(linked, job_id).state not in (JobState.QUEUED, JobState.RUNNING))
        assert job(linked, job_id).state == JobState.DONE, job(linked, job_id).error
        assert procore_ids(published(linked)) == remote_ids(linked)
    finally:
        os.kill(pid, signal.SIGINT)
        os.waitpid(pid, 0)
    assert not worker_running(linked.settings)


def test_no_worker_is_started_for_a_shared_queue(settings: Settings) -> None:
    assert ensure_worker(settings.model_copy(update={"jobs_url": "redis://localhost:1/0"})) is None


@pytest.mark.parametrize("queue_settings", ["sqlite"], indirect=True)
def test_a_worker_started_by_the_app_stops_once_the_app_is_gone(linked: Linked) -> None:
    gone = subprocess.Popen(["true"])  # noqa: S607 - a process that has ended: the app that is gone
    gone.wait()
    worker = worker_process(linked, "--exit-with", str(gone.pid))
    out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
