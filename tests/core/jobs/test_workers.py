"""Worker processes: one killed in the middle of a publish, and two sharing one queue."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from core.db import utcnow
from core.jobs import enqueue_publish, recover_stale, run_worker
from core.jobs.service import STALE_AFTER
from core.models.jobs import JobState, JobTrigger
from core.models.publishing import PublishModule, PublishStatus
from tests.core.jobs.test_jobs import job, published, remote_ids, week
from tests.core.publishing.engine_world import Linked, calls, procore_ids

MANPOWER = PublishModule.MANPOWER
ROOT = Path(__file__).resolve().parents[3]


def worker_process(linked: Linked, *arguments: str) -> subprocess.Popen[str]:
    settings = linked.settings
    env = {**os.environ, "DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url,
           "EMULATOR_STATE": str(settings.emulator_state), "JOBS_URL": settings.jobs_url}
    return subprocess.Popen([sys.executable, "-m", "core", "worker", *arguments], env=env, cwd=ROOT,  # noqa: S603
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition: str, check: object, timeout: float = 120) -> None:
    """Poll another process's progress (it runs on its own clock; there is nothing to inject)."""
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {condition}"
        time.sleep(0.1)


def publishable(linked: Linked) -> int:
    return len([e for e in linked.entries(MANPOWER) if e.status != PublishStatus.NON_PUBLISHABLE])


def test_a_worker_killed_mid_run_is_found_stale_and_its_job_runs_again_without_duplicates(linked: Linked) -> None:
    linked.control("PUT", "config", latency_ms=150)
    job_id = enqueue_publish(linked.settings, linked.engine, week(linked), actor=linked.admin,
                             trigger=JobTrigger.RANGE)
    worker = worker_process(linked, "--until-idle")
    try:
        wait_for("the first published entry", lambda: published(linked))
    finally:
        worker.kill()
        worker.communicate(timeout=30)
    assert job(linked, job_id).state == JobState.RUNNING
    assert 0 < len(published(linked)) < publishable(linked)

    assert recover_stale(linked.settings, linked.engine, now=utcnow() + STALE_AFTER / 2) == []
    assert recover_stale(linked.settings, linked.engine, now=utcnow() + STALE_AFTER + timedelta(seconds=1)) \
        == [job_id]
    assert job(linked, job_id).state == JobState.INTERRUPTED
    assert "stopped answering" in (job(linked, job_id).error or "")

    linked.control("PUT", "config", latency_ms=0)
    run_worker(linked.settings, until_idle=True)

    again = job(linked, job_id)
    assert again.state == JobState.DONE, again.error
    assert again.attempts == 2
    assert len(published(linked)) == publishable(linked)
    assert procore_ids(published(linked)) == remote_ids(linked)


def test_two_worker_processes_each_run_a_publish_and_no_log_is_created_twice(linked: Linked) -> None:
    linked.control("PUT", "config", latency_ms=50)
    linked.control("DELETE", "stats")
    jobs = [enqueue_publish(linked.settings, linked.engine, request, actor=linked.admin, trigger=JobTrigger.RANGE)
            for request in (week(linked), week(linked, ["1001"]))]
    workers = [worker_process(linked, "--until-idle") for _ in range(2)]
    outputs = [worker.communicate(timeout=300) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert [job(linked, job_id).state for job_id in jobs] == [JobState.DONE, JobState.DONE]
    entries = published(linked)
    assert len(entries) == publishable(linked)
    posts = sum(count for key, count in calls(linked).items() if key.startswith("POST"))
    assert posts == len(entries)
    assert procore_ids(entries) == remote_ids(linked)
