"""Publishes as jobs: queued, run by a worker (huey on SQLite or Redis), cancelled, found dead and run again."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session

from core import jobs as jobs_service
from core.access import Identity
from core.errors import PermissionDenied
from core.jobs import cancel, enqueue_publish, jobs, run_job, run_worker
from core.models.jobs import JobState, JobTrigger, PublishJob
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.procore.connection import open_client
from core.publishing.engine import PublishRequest
from tests.conftest import identity_with_role
from tests.core.publishing.engine_world import WEEK_END, WEEK_START, Linked, calls, procore_ids

MANPOWER = PublishModule.MANPOWER


def week(linked: Linked, sites: list[str] | None = None) -> PublishRequest:
    return PublishRequest(MANPOWER, WEEK_START, WEEK_END,
                          job_site_ids=frozenset(linked.site_ids(sites)) if sites else None)


def job(linked: Linked, job_id: int) -> PublishJob:
    return jobs_service.job(linked.engine, job_id)


def published(linked: Linked) -> list[PublishEntry]:
    return [entry for entry in linked.entries(MANPOWER) if entry.status == PublishStatus.PUBLISHED]


def remote_ids(linked: Linked) -> list[int]:
    """Every manpower log Procore holds in the projects our entries went to."""
    projects = {entry.procore_project_id for entry in linked.entries(MANPOWER) if entry.procore_project_id}
    return sorted(log.id for project in projects for log in linked.remote("manpower", project))


def test_a_queued_publish_runs_on_a_worker_and_its_progress_is_in_the_job(linked: Linked) -> None:
    job_id = enqueue_publish(linked.settings, linked.engine, week(linked, ["1001"]), actor=linked.admin,
                             trigger=JobTrigger.RANGE)
    assert job(linked, job_id).state == JobState.QUEUED
    assert not published(linked)

    assert run_worker(linked.settings, until_idle=True) == 1

    done = job(linked, job_id)
    entries = published(linked)
    assert done.state == JobState.DONE, done.error
    assert entries
    assert done.done == done.total >= len(entries)
    assert f"{len(entries)} created" in done.summary
    assert done.run_id is not None
    assert procore_ids(entries) == remote_ids(linked)


def test_a_cancelled_queued_job_never_starts(linked: Linked) -> None:
    linked.control("DELETE", "stats")
    job_id = enqueue_publish(linked.settings, linked.engine, week(linked), actor=linked.admin,
                             trigger=JobTrigger.MANUAL)

    assert cancel(linked.settings, linked.engine, job_id, actor=linked.admin) == JobState.CANCELLED
    run_worker(linked.settings, until_idle=True)

    assert job(linked, job_id).state == JobState.CANCELLED
    assert job(linked, job_id).started_at is None
    assert not published(linked)
    assert not [key for key in calls(linked) if key.startswith("POST")]


def test_queueing_needs_the_publish_permission_and_queues_nothing_without_it(linked: Linked) -> None:
    with Session(linked.engine) as session:
        viewer = identity_with_role(session, "Viewer")
    with pytest.raises(PermissionDenied, match="Publish"):
        enqueue_publish(linked.settings, linked.engine, week(linked), actor=viewer, trigger=JobTrigger.RANGE)
    assert jobs(linked.engine) == []


class CancelOnFirstCreate(httpx.HTTPTransport):
    """The network: when the first manpower log is created, someone presses Cancel on the job."""

    def __init__(self, linked: Linked, actor: Identity) -> None:
        super().__init__()
        self.linked, self.actor = linked, actor
        self.job_id = 0
        self.creates = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and request.url.path.endswith("/manpower_logs"):
            self.creates += 1
            if self.creates == 1:
                cancel(self.linked.settings, self.linked.engine, self.job_id, actor=self.actor)
        return response


def test_a_running_job_cancelled_stops_after_its_writes_in_flight_and_releases_its_claims(linked: Linked) -> None:
    network = CancelOnFirstCreate(linked, linked.admin)
    network.job_id = enqueue_publish(linked.settings, linked.engine, week(linked), actor=linked.admin,
                                     trigger=JobTrigger.RANGE)

    with open_client(linked.settings, linked.engine, transport=network, sleep=lambda _s: None) as client:
        run_job(linked.settings, linked.engine, network.job_id, client=client)

    stopped = job(linked, network.job_id)
    entries = linked.entries(MANPOWER)
    assert stopped.state == JobState.CANCELLED
    assert "cancelled by" in (stopped.error or "")
    assert 0 < len(published(linked)) < len([e for e in entries if e.status != PublishStatus.NON_PUBLISHABLE])
    assert [e for e in entries if e.status == PublishStatus.TO_DO]
    assert not [e for e in entries if e.status == PublishStatus.PUBLISHING or e.claim_token]
    assert procore_ids(published(linked)) == remote_ids(linked)
