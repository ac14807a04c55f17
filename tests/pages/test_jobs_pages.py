"""Publishes as jobs on the dashboards: range publishes after a summary, progress read from the database,
Cancel, and what the page says (and does not queue) when no worker runs."""

from __future__ import annotations

from uuid import uuid4

from core.db import session_scope, utcnow
from core.jobs import jobs, store
from core.models.jobs import JobState, JobTrigger
from core.models.publishing import PublishModule, PublishStatus
from tests.core.publishing.engine_world import WEEK_START, Linked
from tests.pages import test_dashboard_pages as dashboards
from tests.pages.test_dashboard_pages import _click_day, _counts, _key, _ok, _open
from tests.pages.workers import TestWorker

MANPOWER = PublishModule.MANPOWER
SUNDAY = WEEK_START.replace(day=22)
linked = dashboards.linked  # the dashboards' fixtures: the linked demo world, and a worker the page sees
worker = dashboards.worker


def _statuses(linked: Linked) -> dict[str, int]:
    found: dict[str, int] = {}
    for entry in linked.entries(MANPOWER):
        if WEEK_START <= entry.work_date <= SUNDAY:
            found[entry.status] = found.get(entry.status, 0) + 1
    return found


def test_with_no_worker_running_the_page_says_so_and_queues_nothing(linked: Linked) -> None:
    (site,) = linked.site_ids(["1002"])
    at = _click_day(_open(MANPOWER), MANPOWER, site)

    at.button(key=f"{_key(MANPOWER, 'day_action')}_publish").click().run()

    assert not at.exception
    assert any(e.value.startswith("No publish worker is running, so nothing was queued.") for e in at.error)
    assert jobs(linked.engine) == []
    assert set(_counts(linked, MANPOWER, site)) == {"to_do"}


def test_publish_week_shows_what_it_would_do_then_queues_one_job_that_publishes_the_week(
    linked: Linked, worker: TestWorker
) -> None:
    at = _open(MANPOWER)
    before = _statuses(linked)

    at.button(key=_key(MANPOWER, "publish_range")).click().run()

    _ok(at)
    operations = next(f.value for f in at.dataframe if "operation" in f.value.columns)
    assert dict(zip(operations["operation"], operations["entries"], strict=True)) == {
        "Create": before["to_do"], "Skip: non publishable": before["non_publishable"]}
    reasons = next(f.value for f in at.dataframe if "reason" in f.value.columns)
    assert reasons["entries"].sum() >= before["non_publishable"]
    assert any("Evergreen Drywall is not linked to a Procore vendor" in r for r in reasons["reason"])
    assert jobs(linked.engine) == []  # nothing queued before the confirmation

    at.button(key=_key(MANPOWER, "confirm_range_yes")).click().run()

    _ok(at)
    (job,) = jobs(linked.engine)
    assert (job.trigger, job.job_site_ids, job.start_date, job.end_date) == (JobTrigger.RANGE, None, WEEK_START, SUNDAY)
    worker.drain()
    at.run()
    _ok(at)
    # Some entries stayed Non publishable: not green, and the reasons say why, grouped with a fix link.
    assert not at.success
    assert (f"#1 Publish · 16 Nov – 22 Nov 2026 · all job sites · range: {before['to_do']} entries created, "
            f"{before['non_publishable']} entries Non publishable.") in [w.value for w in at.warning]
    assert any("Evergreen Drywall is not linked to a Procore vendor" in m.value and m.value.startswith("- ")
               for m in at.markdown)
    assert _statuses(linked) == {"published": before["to_do"], "non_publishable": before["non_publishable"]}


def test_publish_selected_job_sites_queues_a_job_for_those_only(linked: Linked, worker: TestWorker) -> None:
    at = _open(MANPOWER)
    first = int(at.dataframe[0].value["job_site_id"].iloc[0])
    at.session_state[_key(MANPOWER, "sites")] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()

    at.button(key=_key(MANPOWER, "publish_sites")).click().run()
    at.button(key=_key(MANPOWER, "confirm_range_yes")).click().run()

    _ok(at)
    (job,) = jobs(linked.engine)
    assert job.job_site_ids == [first]
    worker.drain()
    sites = {e.job_site_id for e in linked.entries(MANPOWER) if e.status == PublishStatus.PUBLISHED}
    assert sites == {first}


def test_a_running_jobs_progress_shows_on_a_page_opened_later_and_cancel_stops_it(
    linked: Linked, worker: TestWorker
) -> None:
    (site,) = linked.site_ids(["1002"])
    tab = _click_day(_open(MANPOWER), MANPOWER, site)
    tab.button(key=f"{_key(MANPOWER, 'day_action')}_publish").click().run()
    (job,) = jobs(linked.engine)
    with session_scope(linked.engine) as session:  # a worker took it and sent 2 of 5
        assert job.id is not None
        assert store.start(session, job_id=job.id, token=uuid4().hex, now=utcnow())
        session.connection().exec_driver_sql("UPDATE publish_job SET done = 2, total = 5, summary = '2 created'")

    at = _open(MANPOWER)  # another tab, or the same person after closing theirs

    _ok(at)
    (bar,) = at.get("progress")
    assert (bar.proto.value, bar.proto.text) == (40, "2 of 5: 2 created")
    assert any(m.value.endswith(" · running · asked by admin@localhost") for m in at.markdown)

    at.button(key=f"{_key(MANPOWER, 'jobs')}_job_cancel_{job.id}").click().run()

    _ok(at)
    assert any(i.value == f"Job #{job.id} stops after the writes in flight." for i in at.info)
    assert any(m.value.endswith(" · stopping · asked by admin@localhost") for m in at.markdown)
    with session_scope(linked.engine) as session:
        assert store.cancel_requested(session, job_id=job.id) == "admin@localhost"


def test_cancelling_a_queued_job_from_the_page_means_it_never_runs(linked: Linked, worker: TestWorker) -> None:
    (site,) = linked.site_ids(["1002"])
    at = _click_day(_open(MANPOWER), MANPOWER, site)
    at.button(key=f"{_key(MANPOWER, 'day_action')}_publish").click().run()
    (job,) = jobs(linked.engine)

    at.button(key=f"{_key(MANPOWER, 'jobs')}_job_cancel_{job.id}").click().run()
    worker.drain()
    at.run()

    _ok(at)
    assert [j.state for j in jobs(linked.engine)] == [JobState.CANCELLED]
    assert any(w.value.endswith(": nothing to do. Cancelled by admin@localhost: what was not sent yet stays as it "
                                "was.") for w in at.warning)
    assert set(_counts(linked, MANPOWER, site)) == {"to_do"}
