"""Run history: jobs of every trigger and runs made outside the queue, counts per outcome, problems grouped."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from sqlmodel import Session

from core.access import command_line
from core.config import Settings
from core.db import utcnow
from core.jobs import enqueue_publish, run_worker
from core.jobs.history import HistoryFilter, failure_digest, reason_of, run_history, run_problems
from core.jobs.scheduling import ScheduleInput, run_due_schedules, set_schedule
from core.models.jobs import JobTrigger
from core.models.publishing import PublishModule, PublishStatus
from core.procore.connection import open_client
from core.publishing.engine import PublishRequest, publish
from tests.core.jobs.test_scheduling import RateLimited, local
from tests.core.publishing.engine_world import WEEK_START, Linked

MANPOWER = PublishModule.MANPOWER


@pytest.fixture
def queue_settings(settings: Settings) -> Settings:
    return settings


def one_site_day(linked: Linked, site: str, day_offset: int = 0) -> PublishRequest:
    day = WEEK_START + timedelta(days=day_offset)
    return PublishRequest(MANPOWER, day, day, job_site_ids=frozenset(linked.site_ids([site])))


def test_history_lists_a_command_line_job_a_scheduled_one_and_a_run_outside_the_queue(linked: Linked) -> None:
    linked.publish(MANPOWER, sites=["1002"], start=WEEK_START, end=WEEK_START)
    with Session(linked.engine) as session:
        shell = command_line(session)
    enqueue_publish(linked.settings, linked.engine, one_site_day(linked, "1001"), actor=shell,
                    trigger=JobTrigger.CLI)
    set_schedule(linked.engine, ScheduleInput("manpower", every="1h", days_back=5, approved_only=False),
                 actor=linked.admin)
    run_due_schedules(linked.settings, linked.engine, now=local(linked, "2026-11-20 09:00"))
    run_worker(linked.settings, until_idle=True)

    history = run_history(linked.engine, HistoryFilter())

    assert list(history["trigger"]) == ["scheduled", "cli", "manual"]
    scheduled, cli, manual = (row for _, row in history.iterrows())
    assert (cli["who"], cli["state"], cli["scope"]) == ("command-line@localhost", "done", "2026-11-16, 1 job site")
    assert cli["created"] > 0
    assert cli["created"] == len(linked.entries(MANPOWER, job_site_id=linked.site_ids(["1001"])[0],
                                                work_date=WEEK_START, status=PublishStatus.PUBLISHED))
    assert (scheduled["who"], scheduled["state"], scheduled["scope"]) == \
        ("schedule@localhost", "done", "2026-11-16 .. 2026-11-20, all job sites")
    published = len(linked.entries(MANPOWER, status=PublishStatus.PUBLISHED))
    assert manual["created"] + cli["created"] + scheduled["created"] == published
    assert scheduled["duration_s"] >= 0
    assert (manual["who"], manual["action"], manual["scope"]) == (linked.admin.email, "publish", "2026-11-16")
    assert pd.isna(manual["job_id"])

    only = run_history(linked.engine, HistoryFilter(trigger="scheduled"))
    assert list(only["trigger"]) == ["scheduled"]
    assert run_history(linked.engine, HistoryFilter(module="quantity")).empty
    assert list(run_history(linked.engine, HistoryFilter(state="done", trigger="cli"))["trigger"]) == ["cli"]
    today = utcnow().date()
    assert run_history(linked.engine, HistoryFilter(since=today + timedelta(days=1))).empty
    assert len(run_history(linked.engine, HistoryFilter(since=today, until=today))) == 3


def test_problems_are_grouped_by_reason_with_counts_and_retried_ones_have_no_fix_page(linked: Linked) -> None:
    request = one_site_day(linked, "1001")
    with open_client(linked.settings, linked.engine, transport=RateLimited(linked), sleep=lambda _s: None) as client:
        report = publish(linked.settings, linked.engine, request, actor=linked.admin, client=client, workers=1)
    failed = len(linked.entries(MANPOWER, status=PublishStatus.FAILED))
    assert report.run_id is not None
    assert failed > 1

    problems = run_problems(linked.engine, run_ids=[report.run_id])

    assert len(problems) == 1
    reason, entries, place = problems.iloc[0]
    assert reason.startswith("Procore's rate limit was reached on POST /rest/v1.0/projects/{project_id}/")
    assert (entries, place) == (failed, None)
    assert failure_digest(linked.engine, module="manpower").empty  # not a scheduled run


@pytest.mark.parametrize(("message", "reason"), [
    ("Procore's rate limit was reached on POST /rest/v1.0/x. It resets in about 7 s.",
     "Procore's rate limit was reached on POST /rest/v1.0/x. It resets in about N s."),
    ("its job site now maps to another Procore project (4567)", "its job site now maps to another Procore project (N)"),
    ("Hours 25.5 exceed 24", "Hours N exceed N"),
], ids=["wait seconds", "record id", "hours"])
def test_a_reason_drops_the_numbers_that_differ_per_entry(message: str, reason: str) -> None:
    assert reason_of(message) == reason
