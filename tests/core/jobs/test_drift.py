"""After a scheduled publish, its range is read back from Procore: the days where Procore differs are kept on
the job and grouped in the failure digest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.config import Settings
from core.jobs import enqueue_publish, jobs, run_worker
from core.jobs.drift import DRIFT_REASON
from core.jobs.history import failure_digest
from core.jobs.scheduling import ScheduleInput, run_due_schedules, set_schedule
from core.models.jobs import JobTrigger
from core.models.publishing import PublishModule
from core.publishing.engine import PublishRequest
from tests.core.jobs.test_jobs import published
from tests.core.jobs.test_scheduling import local
from tests.core.publishing.engine_world import WEEK_START, Linked

MANPOWER = PublishModule.MANPOWER


@pytest.fixture
def queue_settings(settings: Settings) -> Settings:
    return settings


def _scheduled_run(linked: Linked, at: str) -> None:
    assert len(run_due_schedules(linked.settings, linked.engine, now=local(linked, at))) == 1
    run_worker(linked.settings, until_idle=True)


def test_a_scheduled_run_reads_procore_back_and_the_digest_names_the_days_that_differ(linked: Linked) -> None:
    set_schedule(linked.engine, ScheduleInput("manpower", every="1h", days_back=5), actor=linked.admin)
    _scheduled_run(linked, "2026-11-20 08:00")
    first = jobs(linked.engine)[0]
    assert first.drift == []  # published and read back: they agree
    assert DRIFT_REASON not in set(failure_digest(linked.engine, module="manpower")["reason"])

    changed = published(linked)[0]
    linked.control("POST", "act", kind="manpower_log", id=changed.procore_id, action="update",
                   fields={"num_workers": 99})
    _scheduled_run(linked, "2026-11-20 10:00")

    latest = jobs(linked.engine)[0]
    assert latest.id != first.id
    assert latest.drift is not None
    (line,) = latest.drift
    assert f" {changed.work_date}: time clock " in line
    assert "· Procore workers " in line
    digest = failure_digest(linked.engine, module="manpower")
    assert digest[digest["reason"] == DRIFT_REASON]["entries"].tolist() == [1]


def test_only_scheduled_runs_are_read_back(linked: Linked) -> None:
    request = PublishRequest(MANPOWER, WEEK_START, WEEK_START + timedelta(days=1))
    enqueue_publish(linked.settings, linked.engine, request, actor=linked.admin, trigger=JobTrigger.MANUAL)
    run_worker(linked.settings, until_idle=True)

    assert jobs(linked.engine)[0].drift is None
