"""A running job's progress: written at most once a second and at the end, so a run does not double its commits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from core import jobs as jobs_service
from core.jobs import enqueue_publish, run_job
from core.models.jobs import JobTrigger
from core.models.publishing import PublishModule, PublishStatus
from core.procore.connection import open_client
from core.publishing.engine import PublishRequest
from tests.core.publishing.engine_world import WEEK_END, WEEK_START, Linked

MANPOWER = PublishModule.MANPOWER


class SteppingClock:
    """A clock that moves `step` at each reading."""

    def __init__(self, step: timedelta) -> None:
        self.now, self.step = datetime(2026, 11, 23, 8, tzinfo=UTC), step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def progress_writes(linked: Linked) -> Iterator[list[int]]:
    """The `done` figure of every write of a job's progress, as the database saw them."""
    seen: list[int] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE PUBLISH_JOB ") and " done=" in statement.replace(" = ", "="):
            values = parameters["done"] if isinstance(parameters, dict) else next(  # named on PostgreSQL
                value for value in parameters if isinstance(value, int))
            seen.append(int(values))

    event.listen(linked.engine, "before_cursor_execute", note)
    yield seen
    event.remove(linked.engine, "before_cursor_execute", note)


@pytest.fixture
def writes(linked: Linked) -> Iterator[list[int]]:
    yield from progress_writes(linked)


@pytest.mark.parametrize("queue_settings", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("step", "at_most"), [(timedelta(0), 2), (timedelta(seconds=2), None)],
                         ids=["a-fast-run-writes-first-and-last", "a-slow-run-writes-each-step"])
def test_progress_is_written_at_most_once_a_second_and_always_at_the_end(
    linked: Linked, writes: list[int], step: timedelta, at_most: int | None,
) -> None:
    job_id = enqueue_publish(linked.settings, linked.engine, PublishRequest(MANPOWER, WEEK_START, WEEK_END),
                             actor=linked.admin, trigger=JobTrigger.RANGE)

    with open_client(linked.settings, linked.engine, sleep=lambda _s: None) as client:
        run_job(linked.settings, linked.engine, job_id, clock=SteppingClock(step), client=client, heartbeat_every=3600)

    finished = jobs_service.job(linked.engine, job_id)
    published = [e for e in linked.entries(MANPOWER) if e.status == PublishStatus.PUBLISHED]
    assert len(published) > 5
    assert finished.done == finished.total >= len(published)  # the last figure is the whole run
    assert writes[-1] == finished.total
    if at_most is not None:
        assert len(writes) <= at_most
    else:
        # Time passed between the recorder's passes (each records every result back by then): each pass shows.
        assert len(writes) > 2
        assert writes == sorted(set(writes))  # each write a new figure, none written twice
