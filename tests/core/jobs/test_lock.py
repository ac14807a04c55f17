"""One running job per module and scope (a second worker leaves the same publish queued); a queue that is down."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from core.access import Identity
from core.config import Settings
from core.db import session_scope, utcnow
from core.errors import ConfigurationError
from core.jobs import Outcome, enqueue_publish, jobs, run_job
from core.jobs.store import create_job, get_job, start
from core.models.jobs import JobState, JobTrigger
from core.models.publishing import PublishModule
from core.publishing.engine import PublishRequest

WEEK = PublishRequest(PublishModule.MANPOWER, date(2026, 11, 16), date(2026, 11, 20))


def queued(engine: Engine, admin: Identity, request: PublishRequest) -> int:
    with session_scope(engine) as session:
        job_id = create_job(session, request=request, actor=admin, trigger=JobTrigger.RANGE).id
    assert job_id is not None
    return job_id


@pytest.mark.parametrize(("other", "expected"), [
    (WEEK, Outcome.BUSY),
    (PublishRequest(PublishModule.MANPOWER, date(2026, 11, 16), date(2026, 11, 16)), Outcome.ENDED),
    (PublishRequest(PublishModule.QUANTITY, date(2026, 11, 16), date(2026, 11, 20)), Outcome.ENDED),
], ids=["same module and scope waits", "another scope runs", "another module runs"])
def test_a_job_whose_module_and_scope_is_running_waits_in_the_queue(
    settings: Settings, engine: Engine, admin: Identity, other: PublishRequest, expected: Outcome,
) -> None:
    running = queued(engine, admin, WEEK)
    with session_scope(engine) as session:
        assert start(session, job_id=running, token="first-worker", now=utcnow())
    second = queued(engine, admin, other)

    assert run_job(settings, engine, second) is expected

    with session_scope(engine) as session:
        state = get_job(session, job_id=second).state
    # Another scope runs (and fails here: nothing is set up for Procore); the same scope is left queued.
    assert state == (JobState.QUEUED if expected is Outcome.BUSY else JobState.FAILED)


def test_a_job_already_started_elsewhere_or_cancelled_is_skipped(settings: Settings, engine: Engine,
                                                                 admin: Identity) -> None:
    job_id = queued(engine, admin, WEEK)
    with session_scope(engine) as session:
        assert start(session, job_id=job_id, token="first-worker", now=utcnow())
    assert run_job(settings, engine, job_id) is Outcome.SKIPPED


def test_a_queue_that_cannot_be_reached_queues_nothing_and_says_so(settings: Settings, engine: Engine,
                                                                   admin: Identity) -> None:
    down = settings.model_copy(update={"jobs_url": "redis://127.0.0.1:1/0"})  # nothing listens on port 1

    with pytest.raises(ConfigurationError, match=r"The job queue at redis://127.0.0.1:1/0 is not reachable"):
        enqueue_publish(down, engine, WEEK, actor=admin, trigger=JobTrigger.RANGE)

    [failed] = jobs(engine)
    assert failed.state == JobState.FAILED
    assert "nothing was queued" in (failed.error or "")
