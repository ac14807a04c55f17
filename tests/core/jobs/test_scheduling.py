"""Stored schedules and their tick: a run fires at its time (the clock is a value), approved-only weeks, retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import Session

from core.config import Settings
from core.db import session_scope
from core.errors import PermissionDenied, ValidationError
from core.jobs import jobs, run_worker
from core.jobs.scheduled_runs import retries_on_its_own
from core.jobs.scheduling import ScheduleInput, company_zone, run_due_schedules, schedules, set_schedule, turn_off
from core.models.ids import saved_id
from core.models.jobs import JobTrigger, PublishSchedule
from core.models.payroll import BoardColumn
from core.models.publishing import PublishModule, PublishStatus
from core.payroll.board import move_card
from core.procore.connection import open_client
from core.publishing.duplicates import UNCERTAIN
from core.publishing.engine import PublishRequest, publish
from tests.conftest import identity_with_role
from tests.core.jobs.test_jobs import published
from tests.core.publishing.engine_world import WEEK_END, WEEK_START, Linked

MANPOWER = PublishModule.MANPOWER


@pytest.fixture
def queue_settings(settings: Settings) -> Settings:
    """The embedded queue only: what a schedule queues does not depend on the queue's storage."""
    return settings


def zone_of(linked: Linked) -> ZoneInfo:
    with Session(linked.engine) as session:
        return company_zone(session)


def local(linked: Linked, text: str) -> datetime:
    """A wall-clock time in the company's time zone, as the UTC instant the tick is given."""
    return datetime.fromisoformat(text).replace(tzinfo=zone_of(linked)).astimezone(UTC)


def stored(linked: Linked) -> PublishSchedule | None:
    with Session(linked.engine) as session:
        return session.get(PublishSchedule, MANPOWER.value)


def test_a_daily_schedule_queues_its_run_at_its_time_once_and_publishes_the_window(linked: Linked) -> None:
    set_schedule(linked.engine, ScheduleInput("manpower", daily="02:00", days_back=5), actor=linked.admin)
    view = schedules(linked.engine, now=local(linked, "2026-11-20 01:00"))[0]
    assert view.next_run == local(linked, "2026-11-20 02:00")

    assert run_due_schedules(linked.settings, linked.engine, now=local(linked, "2026-11-20 01:59")) == []
    queued = run_due_schedules(linked.settings, linked.engine, now=local(linked, "2026-11-20 02:00"))
    assert len(queued) == 1

    [job] = jobs(linked.engine)
    assert (job.trigger, job.action, job.requested_by) == (JobTrigger.SCHEDULED, "publish", "schedule@localhost")
    assert (job.start_date, job.end_date, job.job_site_ids) == (WEEK_START, WEEK_END, None)
    run_worker(linked.settings, until_idle=True)
    assert {entry.work_date for entry in published(linked)} == {WEEK_START + timedelta(days=n) for n in range(5)}
    assert run_due_schedules(linked.settings, linked.engine, now=local(linked, "2026-11-20 02:01")) == []
    assert schedules(linked.engine, now=local(linked, "2026-11-20 03:00"))[0].next_run == \
        local(linked, "2026-11-21 02:00")
    assert "#" in (stored(linked) or PublishSchedule(module="x")).last_outcome


def test_a_schedule_waits_while_its_previous_run_is_still_queued(linked: Linked) -> None:
    set_schedule(linked.engine, ScheduleInput("manpower", every="1h", days_back=5), actor=linked.admin)
    now = local(linked, "2026-11-20 08:00")
    assert len(run_due_schedules(linked.settings, linked.engine, now=now)) == 1
    assert run_due_schedules(linked.settings, linked.engine, now=now + timedelta(hours=2)) == []
    run_worker(linked.settings, until_idle=True)
    assert len(run_due_schedules(linked.settings, linked.engine, now=now + timedelta(hours=2))) == 1


def test_approved_only_publishes_only_the_job_site_weeks_approved_on_payroll(linked: Linked) -> None:
    approved = linked.site_ids(["1002"])[0]
    move_card(linked.settings, linked.engine, job_site_id=approved, week_start=WEEK_START, to=BoardColumn.APPROVED,
              actor=linked.admin)
    set_schedule(linked.engine, ScheduleInput("manpower", every="2h", days_back=5, approved_only=True),
                 actor=linked.admin)

    assert len(run_due_schedules(linked.settings, linked.engine, now=local(linked, "2026-11-20 09:00"))) == 1
    [job] = jobs(linked.engine)
    assert job.job_site_ids == [approved]
    run_worker(linked.settings, until_idle=True)
    sites = {entry.job_site_id for entry in published(linked)}
    assert sites == {approved}


def test_approved_only_queues_nothing_when_no_week_is_approved_and_says_so(linked: Linked) -> None:
    set_schedule(linked.engine, ScheduleInput("manpower", every="2h", days_back=5, approved_only=True),
                 actor=linked.admin)
    assert run_due_schedules(linked.settings, linked.engine, now=local(linked, "2026-11-20 09:00")) == []
    assert "no job-site week from 2026-11-16 to 2026-11-20 is Approved" in (stored(linked) or
                                                                          PublishSchedule(module="x")).last_outcome


class RateLimited(httpx.HTTPTransport):
    """Procore's rate limit answers every create of a manpower log (an emulator switch around each one).

    The switch is the emulator's, for every request: publish with one writer thread (`workers=1`).
    """

    def __init__(self, linked: Linked) -> None:
        super().__init__()
        self.linked = linked

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not (request.method == "POST" and request.url.path.endswith("/manpower_logs")):
            return super().handle_request(request)
        self.linked.control("PUT", "config", faults={"429": 1.0})
        try:
            return super().handle_request(request)
        finally:
            self.linked.control("PUT", "config", faults={"429": 0})


def test_a_scheduled_run_retries_entries_that_failed_on_the_rate_limit(linked: Linked) -> None:
    request = PublishRequest(MANPOWER, WEEK_START, WEEK_START, job_site_ids=frozenset(linked.site_ids(["1001"])))
    with open_client(linked.settings, linked.engine, transport=RateLimited(linked), sleep=lambda _s: None) as client:
        publish(linked.settings, linked.engine, request, actor=linked.admin, client=client, workers=1)
    failed = linked.entries(MANPOWER, status=PublishStatus.FAILED)
    assert failed
    set_schedule(linked.engine, ScheduleInput("manpower", every="1h", days_back=5), actor=linked.admin)

    run_due_schedules(linked.settings, linked.engine, now=local(linked, "2026-11-20 09:00"))

    retry = next(job for job in jobs(linked.engine) if job.action == "republish")
    assert sorted(retry.entry_ids or []) == sorted(saved_id(entry) for entry in failed)
    run_worker(linked.settings, until_idle=True)
    assert not linked.entries(MANPOWER, status=PublishStatus.FAILED)
    assert {entry.id for entry in failed} <= {entry.id for entry in published(linked)}


@pytest.mark.parametrize(("status_code", "message", "retried"), [
    (429, "Procore's rate limit was reached", True),
    (503, "Procore failed with HTTP 503", True),
    (500, "Procore failed with HTTP 500", True),
    (None, f"{UNCERTAIN} (timed out). The next publish looks for the record", True),
    (422, "Procore refused the data sent", False),
    (403, "Procore denied", False),
    (None, "the manpower log is approved in Procore, which refuses to change or delete it", False),
], ids=["rate limit", "unavailable", "server error", "answer lost", "refused data", "denied", "approved"])
def test_only_failures_that_can_change_on_their_own_are_retried(status_code: int | None, message: str,
                                                                retried: bool) -> None:
    assert retries_on_its_own(status_code, message) is retried


@pytest.mark.parametrize(("wanted", "error"), [
    (ScheduleInput("manpower", every="0h"), "whole hours from 1h to 24h"),
    (ScheduleInput("manpower", daily="25:00"), "like 02:00"),
    (ScheduleInput("manpower", every="2h", daily="02:00"), "not both or neither"),
    (ScheduleInput("manpower", every="2h", days_back=0), "1 to 62 days"),
    (ScheduleInput("payroll", every="2h"), "'payroll' is not a module"),
    (ScheduleInput("quantity", every="2h"), "is not enabled"),
], ids=["zero hours", "bad time", "both", "no days", "unknown module", "module not enabled"])
def test_bad_schedule_input_changes_nothing(linked: Linked, wanted: ScheduleInput, error: str) -> None:
    set_schedule(linked.engine, ScheduleInput("manpower", daily="02:00", days_back=3), actor=linked.admin)
    with pytest.raises(ValidationError, match=error):
        set_schedule(linked.engine, wanted, actor=linked.admin)
    row = stored(linked)
    assert row is not None
    assert (row.active, row.daily_at, row.every_hours, row.days_back) == (True, "02:00", None, 3)


def test_schedules_need_the_automation_permission(linked: Linked) -> None:
    with session_scope(linked.engine) as session:
        manager = identity_with_role(session, "Project manager")
    with pytest.raises(PermissionDenied, match="Automation"):
        set_schedule(linked.engine, ScheduleInput("manpower", every="2h"), actor=manager)
    with pytest.raises(PermissionDenied, match="Automation"):
        turn_off(linked.engine, module="manpower", actor=manager)
    assert stored(linked) is None
