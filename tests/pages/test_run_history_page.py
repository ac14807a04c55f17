"""Procore > Run history: a command-line job and a scheduled one with their counts, filters, a run's entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core.access import command_line
from core.jobs import enqueue_publish, run_worker
from core.jobs.scheduling import ScheduleInput, run_due_schedules, set_schedule
from core.models.jobs import JobTrigger
from core.models.publishing import PublishModule, PublishStatus
from core.publishing.engine import PublishRequest
from core.timeclock.csv_reading import counted
from tests.core.publishing.engine_world import WEEK_END, WEEK_START, Linked
from tests.linked_worlds import Step

PAGE = "pages/run_history.py"
MANPOWER = PublishModule.MANPOWER


@pytest.fixture
def app_modules() -> frozenset[PublishModule]:
    return frozenset({MANPOWER})


@pytest.fixture
def linked(linked_app: Linked) -> Linked:
    """The demo world linked for Manpower (a copy of one linked once per run: see conftest.py)."""
    return linked_app


def _two_runs(linked: Linked) -> None:
    """A command-line background publish of one job-site day, then a scheduled run of the week, both run."""
    with Session(linked.engine) as session:
        shell = command_line(session)
    request = PublishRequest(MANPOWER, WEEK_START, WEEK_START, job_site_ids=frozenset(linked.site_ids(["1001"])))
    enqueue_publish(linked.settings, linked.engine, request, actor=shell, trigger=JobTrigger.CLI)
    set_schedule(linked.engine, ScheduleInput("manpower", every="1h", days_back=5), actor=linked.admin)
    run_due_schedules(linked.settings, linked.engine, now=datetime(2026, 11, 20, 15, tzinfo=UTC))
    run_worker(linked.settings, until_idle=True)


TWO_RUNS = Step("two-runs", _two_runs)


@pytest.fixture
def app_step(request: pytest.FixtureRequest) -> Step | None:
    """The two runs, for the tests that ask for them: done once per run on the linked world and copied."""
    return TWO_RUNS if "two_runs" in request.fixturenames else None


@pytest.fixture
def two_runs(linked: Linked) -> Linked:
    """The linked world after the two runs (see `_two_runs`)."""
    return linked


def test_history_lists_the_command_line_and_the_scheduled_run_with_their_counts(
        two_runs: Linked, open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE)

    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["trigger"]) == ["scheduled", "cli"]
    assert list(table["who"]) == ["schedule@localhost", "command-line@localhost"]
    assert list(table["state"]) == ["done", "done"]
    published = len(two_runs.entries(MANPOWER, status=PublishStatus.PUBLISHED))
    cli_day = len(two_runs.entries(MANPOWER, status=PublishStatus.PUBLISHED, work_date=WEEK_START,
                                   job_site_id=two_runs.site_ids(["1001"])[0]))
    assert list(table["created"]) == [published - cli_day, cli_day]
    # Regression test for #22: a column per outcome made the table wider than the page; its CSV keeps them
    assert list(at.dataframe[0].proto.column_order) == ["started", "trigger", "who", "module", "action", "scope",
                                                        "state", "entries", "job_id"]
    assert list(table["entries"]) == [f"{published - cli_day} created", f"{cli_day} created"]
    assert at.get("download_button")[0].proto.label == "Download run-history CSV"
    assert at.subheader[0].value == "Outcome"
    # Regression test for #22: the week's Non publishable entries were left out, and the run read all green
    blocked = len([e for e in two_runs.entries(MANPOWER, status=PublishStatus.NON_PUBLISHABLE)
                   if WEEK_START <= e.work_date <= WEEK_START + timedelta(days=4)])
    assert blocked > 0
    assert not at.success
    assert at.warning[0].value.startswith("job 2 · scheduled · manpower publish ")
    assert at.warning[0].value.endswith(f": {counted(published - cli_day, 'entry')} created, "
                                        f"{counted(blocked, 'entry')} Non publishable.")
    assert any(m.value.startswith("- Company EVG Evergreen Drywall is not linked to a Procore vendor")
               for m in at.markdown)
    assert len(at.dataframe[1].value) == published - cli_day  # the scheduled run's entries, one attempt each
    assert "Open Manpower at 2026-11-16: each entry's history is in its day's details: find Manpower in the " \
        "sidebar." in [caption.value for caption in at.caption]  # a link where the navigation lists the page


def test_the_trigger_filter_keeps_only_the_scheduled_run(two_runs: Linked,
                                                         open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE)
    at.selectbox(key="run_history_trigger").set_value("scheduled").run()

    assert list(at.dataframe[0].value["trigger"]) == ["scheduled"]
    at.selectbox(key="run_history_trigger").set_value("range").run()
    assert "No runs match these filters." in [info.value for info in at.info]


def test_a_chosen_run_can_be_undone_from_the_history(two_runs: Linked, open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE)
    run_id = int(at.dataframe[0].value["run_id"].iloc[0])  # the scheduled run, listed first

    at.button(key=f"undo_{run_id}_preview").click().run()

    assert not at.exception
    assert "Undo this run" in [header.value for header in at.subheader]
    undo = next(m.value for m in at.markdown if m.value.startswith(f"**Undo of run {run_id}:** "))
    assert "to delete what the run created" in undo


def test_a_run_outside_the_queue_counts_the_non_publishable_entries_of_its_days(
        linked: Linked, open_page: Callable[..., AppTest]) -> None:
    report = linked.publish(MANPOWER)  # a press of Publish that ran in the page, not as a job
    blocked = len([e for e in linked.entries(MANPOWER, status=PublishStatus.NON_PUBLISHABLE)
                   if WEEK_START <= e.work_date <= WEEK_END])

    at = open_page(PAGE)

    assert not at.exception
    assert list(at.dataframe[0].value["run_id"]) == [report.run_id]
    assert not at.success
    assert at.warning[0].value.startswith(f"run {report.run_id} · manual · manpower publish ")
    assert at.warning[0].value.endswith(f" created, {counted(blocked, 'entry')} Non publishable.")
